#pragma once
// This process's own figures for /metrics (the process_* metrics Prometheus clients share):
// CPU time, resident and virtual memory, open and allowed file descriptors, and start time,
// from <proc>/self (proc_pid_stat(5)) and <proc>/stat's btime. Always the real /proc in the
// server: GAIA_PROC_ROOT fakes the machine's load, never the process. Values; any thread.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace gaia::monitor {

struct ProcessStats {
  double cpu_seconds = 0;  // user + system
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;        // RLIMIT_NOFILE's soft limit
  double start_time_unix = 0;  // seconds since the epoch
};

// Parses <proc>/self/stat's text, with the machine's boot time (btime) and ticks per second
// and page size: cpu_seconds, resident_bytes, virtual_bytes, start_time_unix.
[[nodiscard]] core::Result<ProcessStats> parse_self_stat(std::string_view text, int64_t boot_time_s,
                                                         long ticks_per_second, long page_bytes);

// Reads everything of this process from `proc` (normally "/proc").
[[nodiscard]] core::Result<ProcessStats> read_process_stats(const std::filesystem::path& proc);

}  // namespace gaia::monitor
