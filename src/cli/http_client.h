#pragma once
// HttpClient: one request, one response, blocking. SocketHttpClient is the real one: plain
// HTTP/1.1 over a POSIX TCP socket, a fresh connection per request (Connection: close), for
// a command-line tool that makes one call and exits. Not thread-safe; one call at a time.
//
// Example:
//   SocketHttpClient client(url, std::chrono::seconds(10));
//   auto r = client.send({"GET", "/api/v1/quota", key, ""});
//   if (!r.ok()) std::cerr << r.status().message();

#include <chrono>
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

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // The server's response whatever its status, or unavailable when the server could not be
  // reached or did not answer in time, or internal when its answer is not HTTP/1.x.
  [[nodiscard]] virtual core::Result<HttpResponse> send(const HttpRequest& req) = 0;
};

class SocketHttpClient final : public HttpClient {
 public:
  // `timeout` bounds every wait: connecting to each address, and each write or read.
  SocketHttpClient(Url url, std::chrono::milliseconds timeout);
  [[nodiscard]] core::Result<HttpResponse> send(const HttpRequest& req) override;

 private:
  Url url_;
  std::chrono::milliseconds timeout_;
};

// Parses a whole response as read up to end of stream: status line, headers, and a body of
// Content-Length bytes (all that follows the headers if it has none). Public for tests.
[[nodiscard]] core::Result<HttpResponse> parse_http_response(std::string_view raw);

}  // namespace gaia::cli
