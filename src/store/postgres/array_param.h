#pragma once
// ArrayParam: a whole column of a batch as one statement parameter for unnest(), built in
// PostgreSQL's binary array format: each element goes as its length and its bytes, never as
// text to be parsed, so no content (a quote, a brace, a backslash, a NUL) can change what the
// statement means. The server still checks each text element's encoding; a row it refuses is
// the write queue's to set aside (store/write_queue.h).
// Not thread-safe; one per column being built.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/postgres/connection.h"

namespace gaia::store::postgres {

// The element types our statements cast their arrays to ($1::text[], $2::bigint[], ...),
// as PostgreSQL's type oids: the binary form must name the element type the cast expects.
enum class Element : uint32_t {
  kSmallint = 21,
  kInt = 23,
  kBigint = 20,
  kText = 25,
  kBytea = 17,
  kDouble = 701,  // double precision
};

class ArrayParam {
 public:
  explicit ArrayParam(Element type) : type_(type) {}

  // A text element, or a bytea element's raw bytes.
  void add(std::string_view v);
  // An integer element, in the width of the array's type.
  void add(int64_t v);
  // A double precision element (kDouble), its IEEE 754 bits as they are: no rounding.
  void add_real(double v);
  template <class T>
  void add(const std::optional<T>& v) {
    if (v) {
      add(static_cast<int64_t>(*v));
    } else {
      add_null();
    }
  }
  // The array as a binary parameter; the array is empty again afterwards.
  Param take();

 private:
  void add_null();
  void put32(uint32_t v, std::string& out) const;

  const Element type_;
  std::string elements_;  // each: its length (-1 for NULL), then its bytes
  uint32_t count_ = 0;
  bool has_null_ = false;
};

}  // namespace gaia::store::postgres
