#pragma once
// The server's figures in /metrics beyond the checks and HTTP requests (api/service_metrics):
//   gaia_build_info{version}                    1
//   gaia_exec_running, gaia_exec_seats          commands running; workers usable now
//   gaia_exec_queued{class}                     commands waiting, by priority class
//   gaia_exec_queue_wait_seconds{class}         histogram: admission to start
//   gaia_throttle_factor                        the load throttle's factor, 0..1
//   gaia_load_cpu_ratio, gaia_load_memory_ratio the smoothed load the throttle reads, 0..1
//   gaia_websocket_clients                      dashboard clients connected
//   gaia_alerts{state}                          alerts pending and firing
//   (gaia_confirm_decisions_total{verdict,source}: app/counted_decisions.h)
//   gaia_exec_draining                          1 once a shutdown began
// and, rendered apart (render_process_metrics), from the real /proc/self:
//   process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds
// Every figure but the histogram and the counter is read when /metrics is rendered.
//
// Threads: registered on the main thread at build; the callbacks run on the rendering thread.

#include <string>

#include "app/exec_stack.h"
#include "app/live_side.h"
#include "metrics/registry.h"

namespace gaia::app {

// Registers the gaia_* figures above (but the decisions) on `registry`, reading the parts
// given, and tells the executor to report its waits. Everything given must outlive the
// registry's renders.
void add_server_metrics(metrics::MetricsRegistry& registry, ExecStack& exec, LiveSide& live);

// The process_* families in the Prometheus text format, read from `proc` ("/proc": always
// the real one); empty when it cannot be read.
std::string render_process_metrics(const std::string& proc);

}  // namespace gaia::app
