#pragma once
// Pressure stall information (kernel Documentation/accounting/psi.rst) from
// /proc/pressure/{cpu,memory,io}. A missing or unreadable file means "no PSI" for that
// resource (kernel without CONFIG_PSI, or psi=0), never zero pressure. Values; any thread.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/status.h"

namespace gaia::monitor {

// One line: percent of wall time stalled over the last 10, 60 and 300 s, and the cumulative
// stall time in microseconds.
struct PsiLine {
  double avg10 = 0;
  double avg60 = 0;
  double avg300 = 0;
  uint64_t total_us = 0;
};

// "some": at least one task stalled; "full": all non-idle tasks stalled at once. Kernels
// before 5.13 have no "full" line for cpu.
struct Pressure {
  PsiLine some;
  std::optional<PsiLine> full;
};

struct Psi {
  std::optional<Pressure> cpu;
  std::optional<Pressure> memory;
  std::optional<Pressure> io;

  bool any() const { return cpu || memory || io; }
};

// Parses one pressure file. Unknown keys are ignored; a "some" line is required.
[[nodiscard]] core::Result<Pressure> parse_pressure(std::string_view text);

// Reads <root>/proc/pressure/{cpu,memory,io}; each absent or unparsable file leaves its
// member empty.
Psi read_psi(const std::filesystem::path& root);

}  // namespace gaia::monitor
