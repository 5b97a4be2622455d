#pragma once
// JSON text as Gaia writes it on the wire: Boost.JSON's values, with every number in plain
// decimal notation ("70.0", "0.35", never "7E1" as boost::json::serialize writes a double; a
// whole double keeps ".0" so that it reads back as a double).
// Doubles take the shortest decimal that reads back as the same double (std::to_chars); a
// double that is not finite, which JSON cannot carry, is written as null. Strings are escaped
// as RFC 8259 requires (", \ and control characters), UTF-8 passed through.
// Pure; any thread.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace gaia::http {

// `v` as JSON text.
std::string json_text(const boost::json::value& v);
// The same for an object, without copying it into a value first.
std::string object_json_text(const boost::json::object& o);

// Appends `v` as JSON text to `out`.
void append_json_text(std::string& out, const boost::json::value& v);

// A member's name that JSON needs no escape for, known when the code is compiled: written as
// it is, with no scan. A name with a byte to escape does not compile.
class PlainName {
 public:
  template <std::size_t N>
  consteval PlainName(const char (&name)[N]) : text_(name, N - 1) {  // NOLINT: a literal
    for (char c : text_) {
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') {
        throw "a member name JSON must escape";  // in a constant expression: a compile error
      }
    }
  }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

// JSON text written as it is stated, with no tree in between: for the answers given on every
// request. The text is the same as json_text() of the tree stated in the same order.
//
//   JsonWriter w(out);   // appends to `out`; `out`'s length is set when `w` goes
//   w.begin_object();
//   w.member("allowed", true);
//   w.object("limit", [&](auto& limit) { limit.member("used", 3); });
//   w.end_object();
//
// The caller states well-formed JSON: keys inside objects only, begin and end in pairs.
// member() and object() take the member's name as a literal (PlainName), written as it is;
// key() takes any name and escapes it. Code that states an object's members through member() and
// object() can build the tree form as well, through ObjectMembers.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out);
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(bool b);
  void value(double d);
  template <std::integral Integer>
  requires(!std::same_as<Integer, bool>) void value(Integer n) {
    if constexpr (std::is_signed_v<Integer>) {
      integer(static_cast<int64_t>(n));
    } else {
      integer(static_cast<uint64_t>(n));
    }
  }
  void value(const boost::json::value& v);
  void value(const boost::json::object& o);
  // An array of strings, e.g. ["shell-day"].
  void value(std::initializer_list<std::string_view> strings);

  template <class Value>
  void member(PlainName name, Value&& v) {
    plain_key(name);
    value(std::forward<Value>(v));
  }
  void member(PlainName name, std::initializer_list<std::string_view> strings) {
    plain_key(name);
    value(strings);
  }
  // A member that is an object, whose members `state(*this)` states.
  template <class StateMembers>
  void object(PlainName name, StateMembers&& state) {
    plain_key(name);
    begin_object();
    state(*this);
    end_object();
  }

  // Members as members_text() wrote them, e.g. `"a":1,"b":2`: text made once, written again.
  void members(std::string_view text) {
    if (text.empty()) return;
    separate();
    char* p = room(text.size());
    std::memcpy(p, text.data(), text.size());
    done(p + text.size());
    after_value_ = true;
  }

  // Where the next `n` bytes go; say where they ended with done().
  char* room(std::size_t n) {
    if (used_ + n > out_.size()) grow(n);
    return out_.data() + used_;
  }
  void done(const char* end) { used_ = static_cast<std::size_t>(end - out_.data()); }

 private:
  void grow(std::size_t n);
  void open(char bracket);   // '{' or '['
  void close(char bracket);  // '}' or ']'

  void plain_key(PlainName name) {
    separate();
    const std::string_view text = name.text();
    char* p = room(text.size() + 3);
    *p++ = '"';
    std::memcpy(p, text.data(), text.size());
    p += text.size();
    *p++ = '"';
    *p++ = ':';
    done(p);
    after_value_ = false;
  }
  // The comma before a value that follows another.
  void separate() {
    if (!after_value_) return;
    *room(1) = ',';
    ++used_;
  }
  // int64_t or uint64_t.
  template <class Integer>
  void integer(Integer n);

  std::string& out_;
  std::size_t used_;
  bool after_value_ = false;
};

// The text of the members `state(writer)` states, for JsonWriter::members().
template <class StateMembers>
std::string members_text(StateMembers&& state) {
  std::string text;
  {
    JsonWriter w(text);
    w.begin_object();
    state(w);
    w.end_object();
  }
  return text.substr(1, text.size() - 2);
}

// The members of a boost::json::object, stated as JsonWriter states them (see above).
class ObjectMembers {
 public:
  explicit ObjectMembers(boost::json::object& o) : o_(o) {}

  template <class Value>
  void member(std::string_view name, Value&& v) {
    o_.emplace(name, std::forward<Value>(v));
  }
  void member(std::string_view name, std::initializer_list<std::string_view> strings);
  template <class StateMembers>
  void object(std::string_view name, StateMembers&& state) {
    boost::json::object inner(o_.storage());
    ObjectMembers members(inner);
    state(members);
    o_.emplace(name, std::move(inner));
  }

 private:
  boost::json::object& o_;
};

}  // namespace gaia::http
