#include "http/json_text.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <cmath>
#include <string_view>

namespace gaia::http {
namespace {

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
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

std::string json_text(const boost::json::value& v) {
  std::string out;
  out.reserve(256);
  append_json_text(out, v);
  return out;
}

std::string object_json_text(const boost::json::object& o) {
  std::string out;
  out.reserve(256);
  append_object(out, o);
  return out;
}

}  // namespace gaia::http
