#pragma once
// Unsigned LEB128 varints: 7 bits a byte, least significant group first, the high bit set on
// every byte but the last. Small numbers, the common case in sketches, take one byte.

#include <cstdint>
#include <string>
#include <string_view>

namespace gaia::analytics::detail {

inline void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads one varint off the front of `in` into `v`; false, with `in` and `v` unspecified, when
// `in` ends inside it or it does not fit 64 bits.
inline bool get_varint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    // The tenth byte holds bit 63 alone.
    if (shift == 63 && byte > 1) return false;
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return true;
  }
  return false;
}

}  // namespace gaia::analytics::detail
