#include "core/log_escape.h"

#include <cstdint>

#include "core/text.h"
#include "core/text_check.h"

namespace gaia::core {
namespace {

void append_hex(std::string& out, uint8_t b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += "\\x";
  out += kDigits[b >> 4];
  out += kDigits[b & 15];
}

}  // namespace

void append_log_escaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  while (!text.empty()) {
    const auto b = static_cast<uint8_t>(text.front());
    if (b >= 0x80) {
      // A whole UTF-8 sequence is kept as it is; a stray byte is shown by its value.
      const size_t n = utf8_sequence_length(text);
      if (n == 0) {
        append_hex(out, b);
        text.remove_prefix(1);
      } else {
        out.append(text.substr(0, n));
        text.remove_prefix(n);
      }
      continue;
    }
    if (const std::string_view e = short_escape(b); !e.empty()) {
      out += e;
    } else if (b < 0x20 || b == 0x7F) {
      append_hex(out, b);
    } else {
      out += static_cast<char>(b);
    }
    text.remove_prefix(1);
  }
}

}  // namespace gaia::core
