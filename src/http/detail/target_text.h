#pragma once
// The request target's text, checked before any handler sees it: every path parameter and
// every query parameter, percent-decoded, must be valid UTF-8 without NUL (core/text_check.h),
// as every JSON body field must (api/api_support.h). Pure; any thread.

#include <optional>

#include "http/message.h"

namespace gaia::http::detail {

// The 400 naming the first parameter that is not text ("user", "name"; "path" or "query"
// when the name itself is not text), or nullopt.
std::optional<Response> non_text_target(const Request& req);

}  // namespace gaia::http::detail
