#pragma once
// A PostgreSQL array literal in text form ({"a","b",NULL}), built element by element, for
// passing a whole column of a batch as one statement parameter to unnest().
// Not thread-safe; one per column being built.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/postgres/connection.h"

namespace gaia::store::postgres {

class TextArray {
 public:
  // Strings are quoted, with backslash and double quote escaped.
  void add(std::string_view v);
  // `bytes` as a bytea element (hex), for a bytea[] parameter.
  void add_bytes(std::string_view bytes);
  void add(int64_t v);
  template <class T>
  void add(const std::optional<T>& v) {
    if (v) {
      add(static_cast<int64_t>(*v));
    } else {
      separate();
      text_ += "NULL";
    }
  }
  // The literal as a parameter; the array is empty again afterwards.
  Param take();

 private:
  void separate() { text_ += text_.empty() ? '{' : ','; }
  std::string text_;
};

}  // namespace gaia::store::postgres
