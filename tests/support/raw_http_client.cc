#include "support/raw_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace gaia::testing {

RawHttpConnection::RawHttpConnection(uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawHttpConnection::~RawHttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawHttpConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawHttpConnection::fill() {
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
}

std::optional<RawResponse> RawHttpConnection::read_response(Body body) {
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);

  RawResponse res;
  std::size_t eol = head.find("\r\n");
  std::string status_line = head.substr(0, eol);
  // HTTP/1.1, or HTTP/1.0 in answer to a request of 1.0.
  if (status_line.size() < 12 || status_line.compare(0, 7, "HTTP/1.") != 0 ||
      (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ') {
    return std::nullopt;
  }
  res.status = std::stoi(status_line.substr(9, 3));
  while (eol != std::string::npos) {
    std::size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string line = head.substr(start, eol == std::string::npos ? eol : eol - start);
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t v = line.find_first_not_of(' ', colon + 1);
    res.headers[name] = v == std::string::npos ? "" : line.substr(v);
  }
  if (body == Body::kNone) return res;
  if (auto it = res.headers.find("transfer-encoding"); it != res.headers.end()) {
    if (it->second != "chunked" || !read_chunks(res.body)) return std::nullopt;
    return res;
  }
  std::size_t length = 0;
  if (auto it = res.headers.find("content-length"); it != res.headers.end()) {
    length = std::stoul(it->second);
  }
  while (buffer_.size() < length) {
    if (!fill()) return std::nullopt;
  }
  res.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return res;
}

bool RawHttpConnection::read_chunks(std::string& body) {
  for (;;) {
    std::size_t eol;
    while ((eol = buffer_.find("\r\n")) == std::string::npos) {
      if (!fill()) return false;
    }
    const std::size_t size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
    buffer_.erase(0, eol + 2);
    while (buffer_.size() < size + 2) {  // the chunk and its CRLF
      if (!fill()) return false;
    }
    body.append(buffer_, 0, size);
    buffer_.erase(0, size + 2);
    if (size == 0) return true;  // the last chunk (no trailers are sent)
  }
}

bool RawHttpConnection::wait_for_close() {
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;  // a reset is a close too; a timeout is not
  }
}

std::string get_request(std::string_view path, std::string_view connection) {
  return "GET " + std::string(path) +
         " HTTP/1.1\r\nHost: localhost\r\nConnection: " + std::string(connection) + "\r\n\r\n";
}

std::optional<RawResponse> http_get(uint16_t port, std::string_view path) {
  RawHttpConnection c(port);
  if (!c.connected() || !c.send(get_request(path, "close"))) return std::nullopt;
  return c.read_response();
}

std::string request_text(std::string_view method, std::string_view path, std::string_view key,
                         std::string_view body) {
  std::string req = std::string(method) + " " + std::string(path) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!key.empty()) req += "Authorization: Bearer " + std::string(key) + "\r\n";
  if (!body.empty()) req += "Content-Type: application/json\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  req += body;
  return req;
}

std::optional<RawResponse> http_request(uint16_t port, std::string_view method,
                                        std::string_view path, std::string_view key,
                                        std::string_view body) {
  RawHttpConnection c(port);
  if (!c.connected() || !c.send(request_text(method, path, key, body))) return std::nullopt;
  return c.read_response();
}

}  // namespace gaia::testing
