#include "http/message.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

namespace gaia::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return h.value;
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
