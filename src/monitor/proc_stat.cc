#include "monitor/proc_stat.h"

#include <algorithm>

#include "monitor/detail/text.h"

namespace gaia::monitor {

core::Result<CpuTimes> parse_proc_stat(std::string_view text) {
  CpuTimes times;
  bool found = false;
  for (std::string_view line : detail::lines(text)) {
    if (line.substr(0, 3) != "cpu") continue;
    auto fields = detail::split_ws(line);
    if (fields.empty()) continue;
    if (fields[0] != "cpu") {
      ++times.cpu_count;  // "cpu0", "cpu1", ...
      continue;
    }
    // user nice system idle iowait irq softirq steal [guest guest_nice]
    if (fields.size() < 5) {
      return core::Status::invalid_argument("/proc/stat: cpu line has fewer than 4 columns");
    }
    uint64_t v[8] = {};
    size_t n = std::min<size_t>(8, fields.size() - 1);
    for (size_t i = 0; i < n; ++i) {
      auto x = detail::parse_u64(fields[i + 1]);
      if (!x) return core::Status::invalid_argument("/proc/stat: bad number in cpu line");
      v[i] = *x;
    }
    times.idle = v[3] + v[4];
    times.total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    found = true;
  }
  if (!found) return core::Status::invalid_argument("/proc/stat: no cpu line");
  return times;
}

core::Result<CpuTimes> read_proc_stat(const std::filesystem::path& root) {
  auto text = detail::read_text(root / "proc/stat");
  if (!text.ok()) return text.status();
  return parse_proc_stat(text.value());
}

std::optional<double> busy_pct(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total) return std::nullopt;
  double dtotal = static_cast<double>(after.total - before.total);
  // idle_all (idle + iowait) may go down between readings: treat that as no idle time.
  double didle = after.idle > before.idle ? static_cast<double>(after.idle - before.idle) : 0.0;
  double pct = 100.0 * (dtotal - didle) / dtotal;
  return std::clamp(pct, 0.0, 100.0);
}

}  // namespace gaia::monitor
