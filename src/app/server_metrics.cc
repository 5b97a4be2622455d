#include "app/server_metrics.h"

#include <array>
#include <charconv>
#include <chrono>

#include "core/fair_queue.h"
#include "core/version.h"
#include "monitor/process_stats.h"

namespace gaia::app {

namespace {

constexpr std::array<const char*, core::kPriorityClassCount> kClassNames = {"enterprise", "premium",
                                                                            "default"};

}  // namespace

void add_server_metrics(metrics::MetricsRegistry& registry, ExecStack& exec, LiveSide& live) {
  registry
      .add_gauge("gaia_build_info", "The version of gaia_server, as a label; always 1.",
                 {"version"})
      .with({core::kVersion})
      .set(1);

  const ExecStack* e = &exec;
  auto stats = [e] { return e->scheduler().stats(); };
  registry.add_callback_gauge("gaia_exec_running", "Commands running now.", [stats] {
    const core::FairQueueStats q = stats();
    return static_cast<double>(q.running[0] + q.running[1] + q.running[2]);
  });
  registry.add_callback_gauge("gaia_exec_seats", "Commands that may run at once now.",
                              [stats] { return static_cast<double>(stats().seats); });
  metrics::GaugeFamily& queued = registry.add_gauge(
      "gaia_exec_queued", "Commands waiting in the queue, by priority class.", {"class"});
  for (int c = 0; c < core::kPriorityClassCount; ++c) {
    queued.add_callback({kClassNames[c]},
                        [stats, c] { return static_cast<double>(stats().queued[c]); });
  }
  metrics::HistogramFamily& waits =
      registry.add_histogram("gaia_exec_queue_wait_seconds",
                             "How long commands waited from admission to start, by priority class.",
                             {0.001, 0.01, 0.1, 0.5, 1, 5, 15, 60, 300}, {"class"});
  std::array<metrics::Histogram*, core::kPriorityClassCount> by_class{};
  for (int c = 0; c < core::kPriorityClassCount; ++c) by_class[c] = &waits.with({kClassNames[c]});
  exec.executor().set_wait_observer([by_class](core::Tier tier, std::chrono::nanoseconds waited) {
    by_class[static_cast<size_t>(core::priority_class_of(tier))]->observe(
        std::chrono::duration<double>(waited).count());
  });
  const exec::Executor* executor = &exec.executor();
  registry.add_callback_gauge("gaia_exec_draining",
                              "1 once the server is shutting down and takes no new command.",
                              [executor] { return executor->draining() ? 1.0 : 0.0; });

  registry.add_callback_gauge("gaia_throttle_factor",
                              "The load throttle's factor: 1 admits freely, 0 admits nothing.",
                              [e] { return e->throttle_factor(); });
  registry.add_callback_gauge("gaia_load_cpu_ratio", "Smoothed CPU load the throttle reads, 0..1.",
                              [e] { return e->sampler().latest()->smoothed.cpu_pct / 100; });
  registry.add_callback_gauge("gaia_load_memory_ratio",
                              "Smoothed memory load the throttle reads, 0..1.",
                              [e] { return e->sampler().latest()->smoothed.mem_pct / 100; });

  const http::WsHub* hub = &live.hub();
  registry.add_callback_gauge("gaia_websocket_clients", "Dashboard WebSocket clients connected.",
                              [hub] { return static_cast<double>(hub->health().clients); });
  const alerts::Evaluator* evaluator = &live.alerting().evaluator();
  metrics::GaugeFamily& alerts =
      registry.add_gauge("gaia_alerts", "Alerts open now, by state.", {"state"});
  alerts.add_callback({"pending"},
                      [evaluator] { return static_cast<double>(evaluator->summary().pending); });
  alerts.add_callback({"firing"},
                      [evaluator] { return static_cast<double>(evaluator->summary().firing); });
}

std::string render_process_metrics(const std::string& proc) {
  auto read = monitor::read_process_stats(proc);
  if (!read.ok()) return "";
  const monitor::ProcessStats& s = read.value();
  std::string out;
  auto family = [&out](const char* name, const char* type, const char* help, double value) {
    char number[32];
    auto [end, ec] = std::to_chars(number, number + sizeof number, value);
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::string(number, ec == std::errc() ? end : number) + "\n";
  };
  family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
         s.cpu_seconds);
  family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
         static_cast<double>(s.resident_bytes));
  family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
         static_cast<double>(s.virtual_bytes));
  family("process_open_fds", "gauge", "Number of open file descriptors.",
         static_cast<double>(s.open_fds));
  family("process_max_fds", "gauge", "Maximum number of open file descriptors.",
         static_cast<double>(s.max_fds));
  family("process_start_time_seconds", "gauge",
         "Start time of the process since unix epoch in seconds.", s.start_time_unix);
  return out;
}

}  // namespace gaia::app
