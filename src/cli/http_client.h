#pragma once
// HttpClient: the CLI's calls to gaia_server, one request, one response, blocking. send()
// reads the whole answer; stream() hands over its status and headers, then its body line by
// line as it arrives (NDJSON). RemoteHttpClient is the real one, on the outgoing client of
// http/client.h (libcurl: http:// and https://, proxies from the environment), a fresh
// connection per request. Calls on one client may run from several threads at once: each has
// its own connection and the client does not change.
//
// Example:
//   RemoteHttpClient client(url, std::chrono::seconds(10));
//   auto r = client.send({"GET", "/api/v1/quota", key, ""});
//   if (!r.ok()) std::cerr << r.status().message();

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/client.h"
#include "http/url.h"

namespace gaia::cli {

using http::Url;
using HttpResponse = http::ClientResponse;

struct HttpRequest {
  std::string method;
  std::string path;        // under the URL's path, e.g. "/api/v1/check"
  std::string bearer_key;  // sent as Authorization: Bearer unless empty
  std::string body;        // JSON, sent with Content-Type: application/json unless empty
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
  // answer is not HTTP.
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

class RemoteHttpClient final : public HttpClient {
 public:
  // `timeout` bounds a whole send(), and a stream() until its head; connecting gets at most
  // `connect_timeout` of it (zero: all of it). When `interrupt_fd` (see cli/interrupt.h)
  // becomes readable, every call gives up at once; -1 for none. `ca_file`: the PEM file of
  // CA certificates an https:// server is checked against; empty: the system's.
  RemoteHttpClient(Url url, std::chrono::milliseconds timeout,
                   std::chrono::milliseconds connect_timeout = std::chrono::milliseconds(0),
                   int interrupt_fd = -1, std::string ca_file = "");
  [[nodiscard]] core::Result<HttpResponse> send(const HttpRequest& req) override;
  [[nodiscard]] core::Status stream(const HttpRequest& req, const StreamHandler& handler) override;

  const Url& url() const { return url_; }

 private:
  // The outgoing request for `req`: its URL under url_, its headers.
  core::Result<http::ClientRequest> outgoing(const HttpRequest& req, std::string accept) const;

  Url url_;
  std::string base_;  // origin and path, no trailing '/': what every API path is put after
  http::Client client_;
};

// Parses GAIA_URL or --url: "http[s]://host[:port][/prefix]", the prefix put before every
// API path. Besides what http::parse_url refuses, a query is invalid_argument.
[[nodiscard]] core::Result<Url> parse_server_url(std::string_view text);

}  // namespace gaia::cli
