#include "confirm/confirm_request.h"

#include <boost/json/parse.hpp>
#include <optional>

namespace gaia::confirm {
namespace {

// Reads the optional string `name` of `o` into `out`; an error when present and not a string
// of at most `max` bytes.
std::optional<core::FieldError> read_string(const boost::json::object& o, std::string_view name,
                                            size_t max, bool required, std::string& out) {
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    if (required) return core::FieldError{std::string(name), "is required"};
    return std::nullopt;
  }
  if (!v->is_string()) return core::FieldError{std::string(name), "must be a string"};
  const boost::json::string& s = v->get_string();
  if (s.size() > max) {
    return core::FieldError{std::string(name), "must be at most " + std::to_string(max) + " bytes"};
  }
  out.assign(s.data(), s.size());
  return std::nullopt;
}

}  // namespace

std::variant<ConfirmRequest, core::FieldError> confirm_request_from_json(
    const boost::json::value& v) {
  if (!v.is_object()) return core::FieldError{"body", "must be a JSON object"};
  const boost::json::object& o = v.get_object();
  ConfirmRequest r;
  if (auto e = read_string(o, "command", kMaxConfirmCommandBytes, true, r.command)) return *e;
  if (r.command.empty()) return core::FieldError{"command", "must not be empty"};
  if (auto e = read_string(o, "cwd", kMaxConfirmCwdBytes, false, r.cwd)) return *e;
  if (auto e = read_string(o, "type", kMaxConfirmFieldBytes, false, r.type)) return *e;
  if (r.type.empty()) return core::FieldError{"type", "must not be empty"};
  if (auto e = read_string(o, "session_id", kMaxConfirmFieldBytes, false, r.session_id)) {
    return *e;
  }
  if (auto e = read_string(o, "tool", kMaxConfirmFieldBytes, false, r.tool)) return *e;
  return r;
}

std::variant<ConfirmRequest, core::FieldError> parse_confirm_request(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return core::FieldError{"body", "not valid JSON: " + ec.message()};
  return confirm_request_from_json(v);
}

}  // namespace gaia::confirm
