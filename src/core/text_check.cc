#include "core/text_check.h"

#include <cstdint>

namespace gaia::core {

// Unicode 15, table 3-7: the well-formed byte sequences.
size_t utf8_sequence_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const auto tail = [&](size_t i, uint8_t lo = 0x80, uint8_t hi = 0xBF) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  const uint8_t b = byte(0);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return tail(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    const uint8_t lo = b == 0xE0 ? 0xA0 : 0x80;  // no overlong form
    const uint8_t hi = b == 0xED ? 0x9F : 0xBF;  // no surrogate
    return tail(1, lo, hi) && tail(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const uint8_t lo = b == 0xF0 ? 0x90 : 0x80;  // no overlong form
    const uint8_t hi = b == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    return tail(1, lo, hi) && tail(2) && tail(3) ? 4 : 0;
  }
  return 0;
}

const char* text_problem(std::string_view text) {
  while (!text.empty()) {
    if (text.front() == '\0') return "contains a NUL byte";
    const size_t n = utf8_sequence_length(text);
    if (n == 0) return "is not valid UTF-8";
    text.remove_prefix(n);
  }
  return nullptr;
}

}  // namespace gaia::core
