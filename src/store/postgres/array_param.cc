#include "store/postgres/array_param.h"

#include <bit>

namespace gaia::store::postgres {

void ArrayParam::put32(uint32_t v, std::string& out) const {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void ArrayParam::add(std::string_view v) {
  put32(static_cast<uint32_t>(v.size()), elements_);
  elements_.append(v);
  ++count_;
}

void ArrayParam::add(int64_t v) {
  const int bytes = type_ == Element::kSmallint ? 2 : type_ == Element::kInt ? 4 : 8;
  put32(static_cast<uint32_t>(bytes), elements_);
  const auto bits = static_cast<uint64_t>(v);  // two's complement, big-endian, truncated
  for (int i = bytes - 1; i >= 0; --i) elements_ += static_cast<char>((bits >> (8 * i)) & 0xFF);
  ++count_;
}

void ArrayParam::add_real(double v) {
  put32(8, elements_);
  const auto bits = std::bit_cast<uint64_t>(v);  // float8send: the bits, big-endian
  for (int i = 7; i >= 0; --i) elements_ += static_cast<char>((bits >> (8 * i)) & 0xFF);
  ++count_;
}

void ArrayParam::add_null() {
  put32(0xFFFFFFFFu, elements_);  // length -1
  has_null_ = true;
  ++count_;
}

Param ArrayParam::take() {
  // array_recv's input: dimensions, null flag, element type, then per dimension its size and
  // lower bound, then the elements. An empty array has no dimension.
  std::string out;
  out.reserve(20 + elements_.size());
  put32(count_ == 0 ? 0 : 1, out);
  put32(has_null_ ? 1 : 0, out);
  put32(static_cast<uint32_t>(type_), out);
  if (count_ > 0) {
    put32(count_, out);
    put32(1, out);
  }
  out += elements_;
  elements_.clear();
  count_ = 0;
  has_null_ = false;
  return Param::binary(std::move(out));
}

}  // namespace gaia::store::postgres
