// libFuzzer target: any bytes through the checks every outside text passes. What the log
// escaping writes is always one line of valid text (no control byte, valid UTF-8, no NUL);
// text the edge keeps has no NUL; redacting an address, or its secrets out of a message,
// never fails.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/log_escape.h"
#include "core/redact_url.h"
#include "core/text_check.h"
#include "fuzz_check.h"

using gaia::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (gaia::core::text_problem(in) == nullptr) check(in.find('\0') == std::string_view::npos);

  std::string escaped;
  gaia::core::append_log_escaped(escaped, in);
  check(gaia::core::text_problem(escaped) == nullptr);
  for (char c : escaped) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);

  (void)gaia::core::redacted_url(in);
  (void)gaia::core::without_secrets(in, in);
  return 0;
}
