#include "http/message.h"

#include <algorithm>
#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <cctype>

#include "core/text.h"
#include "http/json_text.h"

namespace gaia::http {

std::string_view Request::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (core::iequals(h.name, name)) return h.value;
  }
  return {};
}

std::string_view Request::cookie(std::string_view name) const {
  for (const Header& h : headers) {
    if (!core::iequals(h.name, "Cookie")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      std::size_t semi = rest.find(';');
      std::string_view pair = core::trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || core::trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = core::trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
  }
  return {};
}

std::string_view Request::path_param(std::string_view name) const {
  for (const Header& p : path_params) {
    if (p.name == name) return p.value;
  }
  return {};
}

Response json_response(unsigned status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = json_text(body);
  return r;
}

boost::json::object problem(unsigned status, std::string_view code, std::string_view message,
                            std::string_view type, boost::json::storage_ptr sp) {
  // Member by member into a table sized once, with room for a caller's members.
  boost::json::object o(12, std::move(sp));
  ObjectMembers m(o);
  problem_members(m, status, code, message, type);
  return o;
}

template <class Members>
void problem_members(Members& m, unsigned status, std::string_view code, std::string_view message,
                     std::string_view type) {
  namespace bhttp = boost::beast::http;
  const boost::beast::string_view title = bhttp::obsolete_reason(bhttp::int_to_status(status));
  m.member("type", type);
  m.member("title", std::string_view(title.data(), title.size()));
  m.member("status", status);
  m.member("detail", message);
  m.member("error", code);
  m.member("message", message);
}

template void problem_members(JsonWriter&, unsigned, std::string_view, std::string_view,
                              std::string_view);
template void problem_members(ObjectMembers&, unsigned, std::string_view, std::string_view,
                              std::string_view);

Response problem_response(unsigned status, const boost::json::object& body) {
  Response r;
  r.status = status;
  r.content_type = kProblemJson;
  r.body = object_json_text(body);
  return r;
}

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  return problem_response(status, problem(status, code, message));
}

Response field_error_response(std::string_view field, std::string_view message) {
  boost::json::object body = problem(400, "invalid_request", message);
  body["field"] = field;
  return problem_response(400, body);
}

}  // namespace gaia::http
