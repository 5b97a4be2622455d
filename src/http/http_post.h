#pragma once
// One outgoing HTTP/1.1 POST with a deadline, for the clients that call out of Gaia (the
// alert webhook, the confirmation reviewer). http:// only; no connection is kept.
//
// Threads: any; http_post() blocks its caller for at most the timeout (plus a small grace
// for the name lookup) and shares nothing between calls.
//
// Example:
//   Result<HttpTarget> t = parse_http_url("http://hooks.internal:8080/alert");
//   if (!t.ok()) return t.status();
//   Result<std::string> answer = http_post(t.value(), R"({"a":1})",
//       {.peer = "webhook", .user_agent = "gaia-alerts", .timeout = 5s, .max_answer_bytes =
//       16384});

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gaia::http {

// Where a POST goes: the parts of http://host[:port][/path].
struct HttpTarget {
  std::string host;
  std::string port;  // "80" when the URL names none
  std::string path;  // "/" when the URL names none
};

// The target named by `url`; kInvalidArgument ("url: ...") unless it is
// http://host[:port][/path] with a port from 1 to 65535 and no credentials.
[[nodiscard]] core::Result<HttpTarget> parse_http_url(std::string_view url);

struct HttpPostOptions {
  std::string_view peer;                 // names the far end in failure messages: "webhook"
  std::string_view user_agent;           // the User-Agent header
  std::chrono::milliseconds timeout{0};  // the whole exchange: connect, send, answer
  size_t max_answer_bytes = 0;           // a longer answer body is a read failure
  std::vector<std::pair<std::string, std::string>> headers;  // sent after the standard ones
};

// POSTs `body` as application/json to `target` and returns the body of a 2xx answer.
// kUnavailable ("<peer> timed out after N ms", "<peer> connect: ...", "<peer> answered HTTP
// 503") when the peer cannot be reached, misses the deadline or answers other than 2xx.
// REQUIRES: options.timeout > 0.
[[nodiscard]] core::Result<std::string> http_post(const HttpTarget& target, std::string body,
                                                  const HttpPostOptions& options);

}  // namespace gaia::http
