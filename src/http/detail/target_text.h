#pragma once
// The request target, checked before any handler sees it: the query must be a valid query
// (RFC 3986, read by Boost.URL), and every path parameter and every query parameter,
// percent-decoded, must be valid UTF-8 without NUL (core/text_check.h), as every JSON body
// field must (api/api_support.h). No query parameter may be named twice: a handler reads the
// first, a proxy or log reader in front may read the last, as with a JSON body's members
// (http/strict_json.h). Pure; any thread.

#include <optional>

#include "http/message.h"

namespace gaia::http::detail {

// The 400 naming the first parameter that is not text ("user", "name"; "query" when the
// query is malformed or a parameter's name is not text) or is named twice, or nullopt.
// REQUIRES: the router filled req.path_params, already decoded.
std::optional<Response> refused_target(const Request& req);

}  // namespace gaia::http::detail
