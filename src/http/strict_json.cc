#include "http/strict_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace gaia::http {

namespace {

namespace json = boost::json;
using boost::system::error_code;

// The limits boost::json::parser builds a value within.
struct ValueLimits {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();
};

// Builds the value as boost::json::parser does, and counts the members written in its
// objects: an object keeps only the last of a repeated name, so it then holds fewer. Notes a
// number past a double's range, which Boost.JSON reads as infinity or NaN.
struct CountingBuilder : ValueLimits {
  json::value_stack values;
  std::size_t members_written = 0;
  bool all_finite = true;

  // Ready for the next text, its value to be allocated from `sp`.
  void reset(json::storage_ptr sp) {
    values.reset(std::move(sp));
    members_written = 0;
    all_finite = true;
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) {
    values.push_object(n);
    members_written += n;
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    values.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    values.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    values.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    values.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code&) {
    values.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, error_code&) {
    values.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
    values.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, error_code&) {
    all_finite = all_finite && std::isfinite(d);
    values.push_double(d);
    return true;
  }
  bool on_bool(bool b, error_code&) {
    values.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    values.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

std::size_t members_built(const json::value& v) {
  std::size_t n = 0;
  if (const json::object* o = v.if_object()) {
    n += o->size();
    for (const auto& member : *o) n += members_built(member.value());
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& element : *a) n += members_built(element);
  }
  return n;
}

constexpr const char* kRepeated = "is given more than once";
constexpr const char* kNotFinite = "must be a finite number";

// Walks a text known to hold a refusal (a repeated name, a number past a double's range) to
// the first one, and names it by its path. Only such a text is walked, so the sets of names
// cost a well-formed one nothing.
class RefusalFinder : public ValueLimits {
 public:
  const core::FieldError& found() const { return found_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return enter(true); }
  bool on_object_end(std::size_t, error_code&) { return leave(); }
  bool on_array_begin(error_code&) { return enter(false); }
  bool on_array_end(std::size_t, error_code&) { return leave(); }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code& ec) {
    key_.append(s.data(), s.size());
    Level& object = levels_.back();
    const bool repeated = !object.names.insert(key_).second;
    object.key = std::move(key_);
    key_.clear();
    return repeated ? refuse(kRepeated, ec) : true;
  }
  bool on_string_part(json::string_view, std::size_t, error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, error_code&) { return value_begins(); }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, error_code&) { return value_begins(); }
  bool on_uint64(std::uint64_t, json::string_view, error_code&) { return value_begins(); }
  bool on_double(double d, json::string_view, error_code& ec) {
    value_begins();
    return std::isfinite(d) ? true : refuse(kNotFinite, ec);
  }
  bool on_bool(bool, error_code&) { return value_begins(); }
  bool on_null(error_code&) { return value_begins(); }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  struct Level {
    bool object = false;
    std::set<std::string> names;  // an object's names so far
    std::string key;              // an object's member being read
    std::size_t elements = 0;     // an array's elements begun so far
  };

  bool enter(bool object) {
    value_begins();
    levels_.push_back(Level{object, {}, {}, 0});
    return true;
  }
  bool leave() {
    levels_.pop_back();
    return true;
  }
  // In an array, a value beginning is its next element.
  bool value_begins() {
    if (!levels_.empty() && !levels_.back().object) ++levels_.back().elements;
    return true;
  }
  // Names the value being read ("limits[1].period"; "body" for the whole text) and stops the
  // walk there: the first refusal is the one named.
  bool refuse(const char* why, error_code& ec) {
    std::string at;
    for (const Level& level : levels_) {
      if (level.object) {
        at += (at.empty() ? "" : ".") + level.key;
      } else {
        at += "[" + std::to_string(level.elements - 1) + "]";
      }
    }
    found_ = core::FieldError{at.empty() ? "body" : at, why};
    ec = json::error::syntax;
    return false;
  }

  std::vector<Level> levels_;
  std::string key_;
  core::FieldError found_;
};

core::FieldError first_refusal(std::string_view text) {
  json::basic_parser<RefusalFinder> walk{json::parse_options{}};
  error_code ec;
  walk.write_some(false, text.data(), text.size(), ec);
  return walk.handler().found();
}

}  // namespace

std::variant<json::value, core::FieldError> parse_strict_json(std::string_view text,
                                                              json::storage_ptr sp) {
  thread_local json::basic_parser<CountingBuilder> parser{json::parse_options{}};
  parser.reset();
  parser.handler().reset(std::move(sp));
  error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (ec) return core::FieldError{"body", "not valid JSON: " + ec.message()};
  json::value v = parser.handler().values.release();
  if (!parser.handler().all_finite || members_built(v) < parser.handler().members_written) {
    return first_refusal(text);
  }
  return v;
}

}  // namespace gaia::http
