#include "store/postgres/text_array.h"

namespace gaia::store::postgres {

void TextArray::add(std::string_view v) {
  separate();
  text_ += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void TextArray::add_bytes(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  separate();
  text_ += "\"\\\\x";  // the element "\\x...": bytea's hex input, its backslash escaped
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    text_ += kDigits[b >> 4];
    text_ += kDigits[b & 15];
  }
  text_ += '"';
}

void TextArray::add(int64_t v) {
  separate();
  text_ += std::to_string(v);
}

Param TextArray::take() {
  std::string literal = text_.empty() ? "{}" : std::move(text_) + "}";
  text_.clear();
  return literal;
}

}  // namespace gaia::store::postgres
