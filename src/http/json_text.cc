#include "http/json_text.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/text.h"

namespace gaia::http {
namespace {

// Whether any of the eight bytes in `w` is one JSON escapes: below 0x20, '"' or '\\'. Exact
// as a yes or no (the bit tricks of "Bit Twiddling Hacks", hasless and haszero).
bool any_to_escape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  return (((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
          ((backslash - kOnes) & ~backslash)) &
         kHigh;
}

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  // Eight bytes at a time past the plain runs (most text): a response is mostly such text.
  size_t i = 0;
  for (;;) {
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, sizeof w);
      if (any_to_escape(w)) break;
      i += 8;
    }
    const size_t block_end = std::min(s.size(), i + 8);
    for (; i < block_end; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(s.data() + plain, i - plain);
      plain = i + 1;
      if (c == '"') {
        out += "\\\"";
      } else if (const std::string_view e = core::short_escape(c); !e.empty()) {
        out += e;
      } else {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      }
    }
    if (i >= s.size()) break;
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

template <class Number>
void append_number(std::string& out, Number n) {
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  // Fixed notation, shortest round trip: 1e300 takes 301 digits, which is still JSON.
  char digits[400];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, d, std::chars_format::fixed);
  out.append(digits, end);
  // A whole double keeps a fraction ("70.0"), so that it reads back as a double, not an integer.
  if (std::string_view(digits, end - digits).find('.') == std::string_view::npos) out += ".0";
}

void append_object(std::string& out, const boost::json::object& o) {
  out += '{';
  bool first = true;
  for (const auto& member : o) {
    if (!first) out += ',';
    first = false;
    append_string(out, member.key());
    out += ':';
    append_json_text(out, member.value());
  }
  out += '}';
}

}  // namespace

void append_json_text(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      return append_number(out, v.get_int64());
    case boost::json::kind::uint64:
      return append_number(out, v.get_uint64());
    case boost::json::kind::double_:
      return append_double(out, v.get_double());
    case boost::json::kind::string:
      return append_string(out, v.get_string());
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const boost::json::value& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json_text(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object:
      return append_object(out, v.get_object());
  }
}

// An answer's text is a few hundred bytes (a refusal's problem about 700): reserved once.
constexpr size_t kTextReserve = 1024;

std::string json_text(const boost::json::value& v) {
  std::string out;
  out.reserve(kTextReserve);
  append_json_text(out, v);
  return out;
}

std::string object_json_text(const boost::json::object& o) {
  std::string out;
  out.reserve(kTextReserve);
  append_object(out, o);
  return out;
}

}  // namespace gaia::http
