#pragma once
// System-wide CPU time from /proc/stat (proc_stat(5)) and busy % between two readings.
// Values; any thread.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/status.h"

namespace gaia::monitor {

// Cumulative CPU time of all CPUs, in USER_HZ ticks, from the aggregate "cpu" line.
struct CpuTimes {
  uint64_t total = 0;  // user + nice + system + idle + iowait + irq + softirq + steal
  uint64_t idle = 0;   // idle + iowait
  int cpu_count = 0;   // "cpuN" lines: CPUs online
};

// Parses /proc/stat text. Columns past `steal` (guest, guest_nice) are ignored: they are
// already counted in user and nice. Older kernels' shorter lines (4+ columns) are accepted.
[[nodiscard]] core::Result<CpuTimes> parse_proc_stat(std::string_view text);

// Reads <root>/proc/stat.
[[nodiscard]] core::Result<CpuTimes> read_proc_stat(const std::filesystem::path& root);

// Busy percent of all CPUs between two readings, in [0, 100]: 100 * (dtotal - didle) /
// dtotal. nullopt when no time passed (dtotal == 0) or the counters went backwards (a
// reset). A per-field decrease such as iowait going down is clamped, not trusted.
std::optional<double> busy_pct(const CpuTimes& before, const CpuTimes& after);

}  // namespace gaia::monitor
