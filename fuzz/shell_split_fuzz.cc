// libFuzzer target: split_command on arbitrary bytes. It must never crash, hang or overflow
// the stack, and what it returns must keep its own invariants.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "confirm/shell_split.h"
#include "fuzz_check.h"

using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  gaia::confirm::SplitLimits limits;
  auto parts = gaia::confirm::split_command(input, limits);
  if (!parts.ok()) {
    check(!parts.status().message().empty());
    return 0;
  }
  size_t bytes = 0;
  check(parts.value().size() <= limits.max_parts);
  for (const gaia::confirm::CommandPart& p : parts.value()) {
    bytes += p.text.size();
    check(p.depth >= 0 && p.depth <= limits.max_depth + 1);
    if (p.kind == gaia::confirm::PartKind::kCommand ||
        p.kind == gaia::confirm::PartKind::kWrapper) {
      std::string joined;
      for (size_t i = 0; i < p.argv.size(); ++i) joined += (i ? " " : "") + p.argv[i];
      check(!p.argv.empty() && joined == p.text);
    }
  }
  check(bytes <= limits.max_output_bytes);
  return 0;
}
