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
