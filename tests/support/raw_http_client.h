#pragma once
// RawHttpConnection: a blocking TCP client to 127.0.0.1 for tests. Writes bytes verbatim and
// reads HTTP/1.1 responses with Content-Length or chunked bodies; every read gives up after
// `timeout`, so a test never hangs on a server that does not answer. One thread at a time.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace gaia::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class RawHttpConnection {
 public:
  explicit RawHttpConnection(uint16_t port,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~RawHttpConnection();
  RawHttpConnection(const RawHttpConnection&) = delete;
  RawHttpConnection& operator=(const RawHttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // The next response, or nullopt on end of stream, timeout or a response it cannot parse.
  // The answer to a HEAD has headers only (its Content-Length says what a GET would carry):
  // read it with `body` kNone.
  enum class Body { kFramed, kNone };
  std::optional<RawResponse> read_response(Body body = Body::kFramed);
  // True if the peer closes the connection (read returns end of stream) before the timeout.
  bool wait_for_close();

 private:
  bool fill();  // reads more into buffer_; false on end of stream, error or timeout
  bool read_chunks(std::string& body);  // a chunked body, decoded into `body`

  int fd_ = -1;
  std::string buffer_;
};

// "GET <path> HTTP/1.1" with Host and the given Connection header value.
std::string get_request(std::string_view path, std::string_view connection = "keep-alive");

// One GET on a fresh connection.
std::optional<RawResponse> http_get(uint16_t port, std::string_view path);

// A request's bytes (Connection: close), with a Bearer key unless `key` is empty.
std::string request_text(std::string_view method, std::string_view path, std::string_view key,
                         std::string_view body = {});

// One request on a fresh connection, with a Bearer key unless `key` is empty.
std::optional<RawResponse> http_request(uint16_t port, std::string_view method,
                                        std::string_view path, std::string_view key,
                                        std::string_view body = {});

}  // namespace gaia::testing
