#include "http/json_text.h"

#include <algorithm>
#include <array>
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

// The room a JsonWriter takes at first, and its room for an integer: 64 bits, a sign and more.
constexpr size_t kFirstRoom = 256;
constexpr size_t kDigits = 24;

void put(JsonWriter& w, char c) {
  char* p = w.room(1);
  *p = c;
  w.done(p + 1);
}

void put(JsonWriter& w, std::string_view s) {
  char* p = w.room(s.size());
  std::memcpy(p, s.data(), s.size());
  w.done(p + s.size());
}

// Whether JSON escapes the byte: below 0x20, '"' or '\\'.
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> escaped{};
  for (int c = 0; c < 0x20; ++c) escaped[c] = true;
  escaped['"'] = escaped['\\'] = true;
  return escaped;
}();

// Writes the escape of `c` at `p`; returns where it ends.
char* write_escape(char* p, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (c == '"') {
    *p++ = '\\';
    *p++ = '"';
  } else if (const std::string_view e = core::short_escape(c); !e.empty()) {
    std::memcpy(p, e.data(), e.size());
    p += e.size();
  } else {
    std::memcpy(p, "\\u00", 4);
    p[4] = kHex[c >> 4];
    p[5] = kHex[c & 0xF];
    p += 6;
  }
  return p;
}

void write_string(JsonWriter& w, std::string_view s) {
  // The most the text can take: every byte escaped as \u00XX, and the quotes.
  char* p = w.room(s.size() * 6 + 2);
  *p++ = '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  size_t i = 0;
  for (;;) {
    // Eight bytes at a time past the plain runs (most text), then byte by byte to the next
    // byte to escape, or the end.
    while (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof word);
      if (any_to_escape(word)) break;
      i += 8;
    }
    while (i < s.size() && !kEscaped[static_cast<unsigned char>(s[i])]) ++i;
    std::memcpy(p, s.data() + plain, i - plain);
    p += i - plain;
    if (i == s.size()) break;
    p = write_escape(p, static_cast<unsigned char>(s[i]));
    plain = ++i;
  }
  *p++ = '"';
  w.done(p);
}

// An answer's text is a few hundred bytes (a refusal's problem about 700): reserved once.
constexpr size_t kTextReserve = 1024;

}  // namespace

// While it writes, the string is kept sized to the room it has, so each piece is a store or a
// memcpy, not an append that checks the capacity and writes a terminator of its own; its true
// length is set at the end.
JsonWriter::JsonWriter(std::string& out) : out_(out), used_(out.size()) {
  out_.resize(std::max(out_.capacity(), used_ + kFirstRoom));
}

JsonWriter::~JsonWriter() { out_.resize(used_); }

void JsonWriter::grow(size_t n) { out_.resize(std::max(out_.size() * 2, used_ + n)); }

void JsonWriter::open(char bracket) {
  separate();
  put(*this, bracket);
  after_value_ = false;
}

void JsonWriter::close(char bracket) {
  put(*this, bracket);
  after_value_ = true;
}

void JsonWriter::begin_object() { open('{'); }
void JsonWriter::end_object() { close('}'); }
void JsonWriter::begin_array() { open('['); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::key(std::string_view name) {
  separate();
  write_string(*this, name);
  put(*this, ':');
  after_value_ = false;
}

void JsonWriter::value(std::string_view s) {
  separate();
  write_string(*this, s);
  after_value_ = true;
}

void JsonWriter::value(bool b) {
  separate();
  put(*this, b ? std::string_view("true") : std::string_view("false"));
  after_value_ = true;
}

template <class Integer>
void JsonWriter::integer(Integer n) {
  separate();
  char* p = room(kDigits);
  done(std::to_chars(p, p + kDigits, n).ptr);
  after_value_ = true;
}

template void JsonWriter::integer(int64_t n);
template void JsonWriter::integer(uint64_t n);

void JsonWriter::value(double d) {
  separate();
  after_value_ = true;
  if (!std::isfinite(d)) return put(*this, "null");
  // Fixed notation, shortest round trip: 1e300 takes 301 digits, which is still JSON.
  constexpr size_t kDoubleDigits = 400;
  char* p = room(kDoubleDigits + 2);
  char* end = std::to_chars(p, p + kDoubleDigits, d, std::chars_format::fixed).ptr;
  // A whole double keeps a fraction ("70.0"), so that it reads back as a double, not an integer.
  if (std::string_view(p, end - p).find('.') == std::string_view::npos) {
    *end++ = '.';
    *end++ = '0';
  }
  done(end);
}

void JsonWriter::value(const boost::json::object& o) {
  begin_object();
  for (const auto& m : o) {
    key(m.key());
    value(m.value());
  }
  end_object();
}

void JsonWriter::value(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      separate();
      after_value_ = true;
      return put(*this, "null");
    case boost::json::kind::bool_:
      return value(v.get_bool());
    case boost::json::kind::int64:
      return value(v.get_int64());
    case boost::json::kind::uint64:
      return value(v.get_uint64());
    case boost::json::kind::double_:
      return value(v.get_double());
    case boost::json::kind::string:
      return value(std::string_view(v.get_string()));
    case boost::json::kind::array:
      begin_array();
      for (const boost::json::value& item : v.get_array()) value(item);
      return end_array();
    case boost::json::kind::object:
      return value(v.get_object());
  }
}

void JsonWriter::value(std::initializer_list<std::string_view> strings) {
  begin_array();
  for (std::string_view s : strings) value(s);
  end_array();
}

void ObjectMembers::member(std::string_view name, std::initializer_list<std::string_view> strings) {
  boost::json::array list(strings.size(), o_.storage());
  size_t i = 0;
  for (std::string_view s : strings) list[i++] = s;
  o_.emplace(name, std::move(list));
}

void append_json_text(std::string& out, const boost::json::value& v) {
  JsonWriter w(out);
  w.value(v);
}

std::string json_text(const boost::json::value& v) {
  std::string out;
  out.reserve(kTextReserve);
  append_json_text(out, v);
  return out;
}

std::string object_json_text(const boost::json::object& o) {
  std::string out;
  out.reserve(kTextReserve);
  {
    JsonWriter w(out);  // sets the text's length when it goes
    w.value(o);
  }
  return out;
}

}  // namespace gaia::http
