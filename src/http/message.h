#pragma once
// Request and Response: the plain values handlers see, free of Beast types. A Request is
// owned by the connection for the duration of one handler call; a Response is moved back.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gaia::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string path;    // target without the query string
  std::string query;   // after '?', without it; empty if none
  std::vector<Header> headers;
  std::string body;
  std::vector<Header> path_params;  // filled by the router from `{name}` segments

  // The first header named `name` (case-insensitive), or an empty view if absent.
  std::string_view header(std::string_view name) const;
  // The value of cookie `name` in the Cookie headers (quotes removed), or an empty view.
  std::string_view cookie(std::string_view name) const;
  // The path segment matched by `{name}`, or an empty view.
  std::string_view path_param(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  // Static text (a literal, or an embedded file's type): a response is written after the
  // handler returns.
  std::string_view content_type = "application/json";
  std::string body;
  std::vector<Header> headers;  // extra headers; Content-Length and Connection are set for you
};

// A response whose body is `body` as JSON text (http/json_text.h: plain decimal numbers).
Response json_response(unsigned status, const boost::json::value& body);

// Errors are RFC 9457 problem details (`application/problem+json`). Besides the standard
// members ("type", "title": the status's reason phrase, "status", "detail") every problem
// carries Gaia's own: "error" (a stable code), "message" (as "detail") and, for bad input,
// "field".
inline constexpr std::string_view kProblemJson = "application/problem+json";
// The problem type of a 429 from a limit (draft-ietf-httpapi-ratelimit-headers).
inline constexpr std::string_view kQuotaExceededType =
    "https://iana.org/assignments/http-problem-types#quota-exceeded";

// {"type","title","status","detail","error","message"}, to which a caller may add members.
// `type` is "about:blank" unless a registered problem type applies. Allocated from `sp`, with
// room for a few more members.
boost::json::object problem(unsigned status, std::string_view code, std::string_view message,
                            std::string_view type = "about:blank",
                            boost::json::storage_ptr sp = {});
// The same members, stated to `m`: a JsonWriter (the text, no tree) or ObjectMembers
// (http/json_text.h).
template <class Members>
void problem_members(Members& m, unsigned status, std::string_view code, std::string_view message,
                     std::string_view type = "about:blank");
// `body` (a problem()) as an application/problem+json response of `status`.
Response problem_response(unsigned status, const boost::json::object& body);

// The problem of (status, code, message), e.g. (404, "not_found", "no resource at /x").
Response error_response(unsigned status, std::string_view code, std::string_view message);

// 400 "invalid_request" naming the input at fault: {"field": field, "message": message, ...}.
Response field_error_response(std::string_view field, std::string_view message);

}  // namespace gaia::http
