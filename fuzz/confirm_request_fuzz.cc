// libFuzzer target: the body of POST /api/claude/confirm/request, read as the endpoint reads
// it (parse_confirm_request), then the parsed command judged by the default patterns, as the
// endpoint does next. Must never crash, leak or run away on any input.

#include <boost/json/src.hpp>  // Boost.JSON compiled into this target (no CMake here)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "confirm/confirm_request.h"
#include "confirm/default_patterns.h"
#include "confirm/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* const kSet = [] {
    auto set = gaia::confirm::PatternSet::make(gaia::confirm::default_patterns());
    return set.ok() ? new gaia::confirm::PatternSet(std::move(set.value())) : nullptr;
  }();
  auto parsed = gaia::confirm::parse_confirm_request({reinterpret_cast<const char*>(data), size});
  if (auto* request = std::get_if<gaia::confirm::ConfirmRequest>(&parsed)) {
    if (request->command.empty() ||
        request->command.size() > gaia::confirm::kMaxConfirmCommandBytes) {
      __builtin_trap();  // the parser's own contract
    }
    if (kSet != nullptr) {
      (void)kSet->decide(request->command, {.command_type = request->type, .user = "fuzz"});
    }
  }
  return 0;
}
