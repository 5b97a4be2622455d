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

// Writes JSON text at the end of a string through a pointer. While it writes, the string is
// kept sized to the room it has, so each piece is a store or a memcpy, not an append that
// checks the capacity and writes a terminator of its own; its true length is set at the end.
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out), used_(out.size()) {
    out_.resize(std::max(out_.capacity(), used_ + kFirstRoom));
  }
  ~TextWriter() { out_.resize(used_); }
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  // Where the next `n` bytes go; say where they ended with done().
  char* room(size_t n) {
    if (used_ + n > out_.size()) out_.resize(std::max(out_.size() * 2, used_ + n));
    return out_.data() + used_;
  }
  void done(const char* end) { used_ = static_cast<size_t>(end - out_.data()); }

  void put(char c) {
    char* p = room(1);
    *p = c;
    done(p + 1);
  }
  void put(std::string_view s) {
    char* p = room(s.size());
    std::memcpy(p, s.data(), s.size());
    done(p + s.size());
  }

 private:
  static constexpr size_t kFirstRoom = 256;
  std::string& out_;
  size_t used_;
};

void write_string(TextWriter& w, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // The most the text can take: every byte escaped as \u00XX, and the quotes.
  char* p = w.room(s.size() * 6 + 2);
  *p++ = '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  // Eight bytes at a time past the plain runs (most text): a response is mostly such text.
  size_t i = 0;
  for (;;) {
    while (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof word);
      if (any_to_escape(word)) break;
      i += 8;
    }
    const size_t block_end = std::min(s.size(), i + 8);
    for (; i < block_end; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      std::memcpy(p, s.data() + plain, i - plain);
      p += i - plain;
      plain = i + 1;
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
    }
    if (i >= s.size()) break;
  }
  std::memcpy(p, s.data() + plain, s.size() - plain);
  p += s.size() - plain;
  *p++ = '"';
  w.done(p);
}

template <class Number>
void write_number(TextWriter& w, Number n) {
  constexpr size_t kDigits = 24;  // a 64-bit integer, its sign and more
  char* p = w.room(kDigits);
  w.done(std::to_chars(p, p + kDigits, n).ptr);
}

void write_double(TextWriter& w, double d) {
  if (!std::isfinite(d)) {
    w.put("null");
    return;
  }
  // Fixed notation, shortest round trip: 1e300 takes 301 digits, which is still JSON.
  constexpr size_t kDigits = 400;
  char* p = w.room(kDigits + 2);
  char* end = std::to_chars(p, p + kDigits, d, std::chars_format::fixed).ptr;
  // A whole double keeps a fraction ("70.0"), so that it reads back as a double, not an integer.
  if (std::string_view(p, end - p).find('.') == std::string_view::npos) {
    *end++ = '.';
    *end++ = '0';
  }
  w.done(end);
}

void write_value(TextWriter& w, const boost::json::value& v);

void write_object(TextWriter& w, const boost::json::object& o) {
  w.put('{');
  bool first = true;
  for (const auto& member : o) {
    if (!first) w.put(',');
    first = false;
    write_string(w, member.key());
    w.put(':');
    write_value(w, member.value());
  }
  w.put('}');
}

void write_value(TextWriter& w, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return w.put("null");
    case boost::json::kind::bool_:
      return w.put(v.get_bool() ? "true" : "false");
    case boost::json::kind::int64:
      return write_number(w, v.get_int64());
    case boost::json::kind::uint64:
      return write_number(w, v.get_uint64());
    case boost::json::kind::double_:
      return write_double(w, v.get_double());
    case boost::json::kind::string:
      return write_string(w, v.get_string());
    case boost::json::kind::array: {
      w.put('[');
      bool first = true;
      for (const boost::json::value& item : v.get_array()) {
        if (!first) w.put(',');
        first = false;
        write_value(w, item);
      }
      return w.put(']');
    }
    case boost::json::kind::object:
      return write_object(w, v.get_object());
  }
}

// An answer's text is a few hundred bytes (a refusal's problem about 700): reserved once.
constexpr size_t kTextReserve = 1024;

}  // namespace

void append_json_text(std::string& out, const boost::json::value& v) {
  TextWriter w(out);
  write_value(w, v);
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
    TextWriter w(out);  // sets the text's length when it goes
    write_object(w, o);
  }
  return out;
}

}  // namespace gaia::http
