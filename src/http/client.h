#pragma once
// Client: Gaia's one outgoing HTTP client (the CLI, the alert webhook, the reviewer), on
// libcurl. One request, one answer, blocking the caller: http:// and https:// (the peer's
// certificate checked against the system's CA certificates, as libcurl does by default, or
// against those of a CA file given), proxies from the environment as curl
// takes them (http_proxy, https_proxy, no_proxy), a fresh connection per call. fetch() reads
// the whole answer; stream() hands over its head, then its body bytes as they arrive (chunked
// framing already decoded), for answers that last as long as a command runs.
//
// Threads: a Client is immutable; any number of calls, from any threads, at once. Each call
// has its own libcurl handles; libcurl itself is initialised once, on first use.
//
// Example:
//   Client client({.peer = "webhook", .user_agent = "gaia-alerts", .timeout = 5s,
//                  .max_answer_bytes = 16384});
//   Result<std::string> body = client.post_json(url, R"({"a":1})");
//   if (!body.ok()) log(body.status().message());  // "webhook timed out after 5000 ms"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gaia::http {

// What a 3xx answer does: kRefuse makes it the answer (Location is not followed); kFollow
// follows up to 5 redirects, to http:// or https:// only.
enum class Redirects : uint8_t { kRefuse, kFollow };

struct ClientOptions {
  std::string peer = "";  // names the far end in failure messages: "webhook", "gaia.example:443"
  std::string user_agent = "gaia";
  // fetch(): the whole exchange (connect, send, answer). stream(): until the answer's head;
  // its body may then take as long as it likes. Zero: no bound.
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds connect_timeout{0};  // name lookup and connect; zero: `timeout`
  size_t max_answer_bytes = 64 * 1024 * 1024;    // fetch(): a longer body is a failure
  Redirects redirects = Redirects::kRefuse;
  // PEM file of the CA certificates that https:// peers are checked against, instead of the
  // system's (a private CA, a test's own certificate); empty: the system's.
  std::string ca_file = "";
  int interrupt_fd = -1;  // when readable (see cli/interrupt.h), a call gives up at once
};

struct ClientRequest {
  std::string method = "GET";
  std::string url = "";  // absolute: http[s]://host[:port]/path
  std::vector<std::pair<std::string, std::string>> headers = {};  // e.g. {"Content-Type", "..."}
  std::string body = "";  // sent with Content-Length unless the method is GET or it is empty
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased, values trimmed
  std::string body;

  // The header's value, or "" if it was not sent. `name` in lower case.
  std::string header(const std::string& name) const;
};

// What stream() hands over, on the calling thread, in this order: the head once, then the
// body's bytes in pieces as they arrive. Any may be empty.
struct StreamCallbacks {
  std::function<void(const ClientResponse& head)> on_head = {};  // status, headers; no body
  // A non-OK status ends the call, which returns it.
  std::function<core::Status(std::string_view bytes)> on_body = {};
  // Called each time the body has been silent for idle_interval (if both are set), so a
  // caller can say that it is still waiting.
  std::function<void()> on_idle = {};
  std::chrono::milliseconds idle_interval{0};
};

class Client {
 public:
  explicit Client(ClientOptions options);

  // The answer, whatever its status. Failures, with the peer named as options.peer:
  //   kUnavailable: "cannot resolve <peer>: ...", "cannot connect to <peer>: Connection
  //     refused", "<peer> timed out after N ms", "connection to <peer> lost: ...",
  //     "connection to <peer> closed before the answer ended", "<peer> closed the connection
  //     without answering", "<peer> answered more than N bytes", "<peer> TLS: ...",
  //     "interrupted";
  //   kInternal: "<peer>'s answer is not HTTP: ..." (a malformed answer);
  //   kInvalidArgument: a URL libcurl will not take, or a header with a CR or LF in it.
  [[nodiscard]] core::Result<ClientResponse> fetch(const ClientRequest& req) const;

  // Sends `req` and hands the answer to `callbacks` as it arrives, whatever its status. OK once
  // the body ended as its framing says; otherwise the failures of fetch() (a body cut short
  // after some bytes were handed over included), or on_body's own status.
  [[nodiscard]] core::Status stream(const ClientRequest& req,
                                    const StreamCallbacks& callbacks) const;

  // POSTs `body` as application/json (plus `headers`) and returns the body of a 2xx answer;
  // another status is kUnavailable "<peer> answered HTTP 503".
  [[nodiscard]] core::Result<std::string> post_json(
      std::string url, std::string body,
      std::vector<std::pair<std::string, std::string>> headers = {}) const;

  const ClientOptions& options() const { return options_; }

 private:
  ClientOptions options_;
};

}  // namespace gaia::http
