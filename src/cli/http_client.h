#pragma once
// HttpClient: one request, one response, blocking. send() reads the whole answer; stream()
// hands over its status and headers, then its body line by line as it arrives (NDJSON).
// SocketHttpClient is the real one: plain HTTP/1.1 over a POSIX TCP socket, a fresh
// connection per request (Connection: close), bodies framed by Content-Length, by
// Transfer-Encoding: chunked or by the end of the connection. Calls on one client may run
// from several threads at once: each has its own connection and the client does not change.
//
// Example:
//   SocketHttpClient client(url, std::chrono::seconds(10));
//   auto r = client.send({"GET", "/api/v1/quota", key, ""});
//   if (!r.ok()) std::cerr << r.status().message();

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "cli/url.h"
#include "core/status.h"

namespace gaia::cli {

struct HttpRequest {
  std::string method;
  std::string path;        // under the URL's base path, e.g. "/api/v1/check"
  std::string bearer_key;  // sent as Authorization: Bearer unless empty
  std::string body;        // JSON, sent with Content-Type: application/json unless empty
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or "" if it was not sent. `name` in lower case.
  std::string header(const std::string& name) const;
};

// What stream() hands over, on the calling thread, in this order: the head once, then each
// line of the body. Either may be empty.
struct StreamHandler {
  std::function<void(const HttpResponse& head)> on_head;  // status and headers; body empty
  // A body line without its '\n'; a last line without one is handed over too.
  std::function<void(std::string_view line)> on_line;
  // Called each time the body has been silent for idle_interval (if both are set), so a
  // caller can say that it is still waiting.
  std::function<void()> on_idle;
  std::chrono::milliseconds idle_interval{0};
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // The server's response whatever its status, or unavailable when the server could not be
  // reached or did not answer in time (or the client was interrupted), or internal when its
  // answer is not HTTP/1.x.
  [[nodiscard]] virtual core::Result<HttpResponse> send(const HttpRequest& req) = 0;

  // Sends `req` and hands the answer to `handler` as it arrives, whatever its status. The head
  // must come within the client's timeout; the body may then take as long as it likes (a
  // command can be silent for hours), lines handed over as soon as they are complete. OK once
  // the body ended as its framing says; unavailable if the connection was lost or the client
  // interrupted before (the complete lines so far have been handed over, a partial one is
  // dropped), internal for a malformed answer. Returning closes the connection, whatever the
  // outcome.
  [[nodiscard]] virtual core::Status stream(const HttpRequest& req,
                                            const StreamHandler& handler) = 0;
};

class SocketHttpClient final : public HttpClient {
 public:
  // `timeout` bounds every wait but those for a streamed body: connecting to each address,
  // and each write or read. When `interrupt_fd` (see cli/interrupt.h) becomes readable, every
  // wait gives up at once; -1 for none.
  SocketHttpClient(Url url, std::chrono::milliseconds timeout, int interrupt_fd = -1);
  [[nodiscard]] core::Result<HttpResponse> send(const HttpRequest& req) override;
  [[nodiscard]] core::Status stream(const HttpRequest& req, const StreamHandler& handler) override;

  const Url& url() const { return url_; }

 private:
  Url url_;
  std::chrono::milliseconds timeout_;
  int interrupt_fd_;
};

// Parses a whole response as read up to end of stream: status line, headers, and a body of
// Content-Length bytes, chunked, or all that follows the headers if it has neither. Public
// for tests.
[[nodiscard]] core::Result<HttpResponse> parse_http_response(std::string_view raw);

}  // namespace gaia::cli
