#pragma once
// The parameters of a request's query string, percent-decoded by Boost.URL ('+' as a space,
// as HTML forms and URLSearchParams write it). The router refuses a query that is not valid
// (a malformed %XX, a parameter that is not text: http/detail/target_text.h) before any
// handler runs, so a handler reads only what it asks for.
// Pure; any thread.
//
// Example:
//   if (auto user = query_param(req.query, "user")) filter.user = *user;  // "eve.o@x.org"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gaia::http {

// The decoded value of the first parameter named `name`, or nullopt when it is absent, has
// an empty value, or the query is not valid.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// The decoded name of every parameter, in order (repeats kept); empty when the query is not
// valid.
std::vector<std::string> query_names(std::string_view query);

}  // namespace gaia::http
