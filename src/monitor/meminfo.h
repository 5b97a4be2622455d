#pragma once
// Host memory from /proc/meminfo (proc_meminfo(5)). Values; any thread.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace gaia::monitor {

struct MemInfo {
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;

  // 100 * (1 - available / total), in [0, 100].
  double used_pct() const;
};

// Parses /proc/meminfo text ("Key:   value kB", kB = KiB). Needs MemTotal; available is
// MemAvailable (3.14+), else the older estimate MemFree + Buffers + Cached.
[[nodiscard]] core::Result<MemInfo> parse_meminfo(std::string_view text);

// Reads <root>/proc/meminfo.
[[nodiscard]] core::Result<MemInfo> read_meminfo(const std::filesystem::path& root);

}  // namespace gaia::monitor
