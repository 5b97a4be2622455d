#include "monitor/meminfo.h"

#include <algorithm>
#include <optional>

#include "monitor/detail/text.h"

namespace gaia::monitor {

double MemInfo::used_pct() const {
  if (total_bytes == 0) return 0.0;
  // 100 * used / total rather than 100 * (1 - available / total): exact for round inputs.
  uint64_t used = total_bytes - std::min(available_bytes, total_bytes);
  return 100.0 * static_cast<double>(used) / static_cast<double>(total_bytes);
}

core::Result<MemInfo> parse_meminfo(std::string_view text) {
  std::optional<uint64_t> total, available, free, buffers, cached;
  for (std::string_view line : detail::lines(text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    auto fields = detail::split_ws(line.substr(colon + 1));
    if (fields.empty()) continue;
    auto value = detail::parse_u64(fields[0]);
    if (!value) continue;
    uint64_t bytes = *value * (fields.size() > 1 && fields[1] == "kB" ? 1024 : 1);
    if (key == "MemTotal")
      total = bytes;
    else if (key == "MemAvailable")
      available = bytes;
    else if (key == "MemFree")
      free = bytes;
    else if (key == "Buffers")
      buffers = bytes;
    else if (key == "Cached")
      cached = bytes;
  }
  if (!total || *total == 0) return core::Status::invalid_argument("/proc/meminfo: no MemTotal");
  if (!available) {
    if (!free) return core::Status::invalid_argument("/proc/meminfo: no MemAvailable or MemFree");
    available = *free + buffers.value_or(0) + cached.value_or(0);
  }
  return MemInfo{*total, *available};
}

core::Result<MemInfo> read_meminfo(const std::filesystem::path& root) {
  auto text = detail::read_text(root / "proc/meminfo");
  if (!text.ok()) return text.status();
  return parse_meminfo(text.value());
}

}  // namespace gaia::monitor
