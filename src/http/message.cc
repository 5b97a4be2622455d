#include "http/message.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "core/text.h"

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
  r.body = boost::json::serialize(body);
  return r;
}

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  return json_response(status, boost::json::object{{"error", code}, {"message", message}});
}

}  // namespace gaia::http
