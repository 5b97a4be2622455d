#include "cli/http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

namespace gaia::cli {
namespace {

// A response larger than this is not one of ours; stop rather than exhaust memory.
constexpr size_t kMaxResponseBytes = 64 * 1024 * 1024;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::string seconds_text(std::chrono::milliseconds t) {
  return t.count() % 1000 == 0 ? std::to_string(t.count() / 1000) + " s"
                               : std::to_string(t.count()) + " ms";
}

// Waits for `events` on `fd`: 1 ready, 0 timed out, -1 failed (errno set). The timeout
// restarts after a signal; we read no clock, so every wait, not the whole call, is bounded.
int wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

core::Result<Socket> connect_to(const Url& url, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return core::Status::unavailable("cannot resolve " + url.host + ": " + ::gai_strerror(rc));
  }
  std::string why = "no address";
  // Each address in turn, as getaddrinfo orders them (IPv6 before IPv4 for "localhost").
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (s.fd() < 0) {
      why = std::strerror(errno);
      continue;
    }
    int err = ::connect(s.fd(), a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      const int ready = wait_for(s.fd(), POLLOUT, timeout);
      if (ready == 0) {
        why = "timed out after " + seconds_text(timeout);
        continue;
      }
      socklen_t len = sizeof err;
      if (ready < 0) {
        err = errno;
      } else if (::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
      }
    }
    if (err == 0) {
      ::freeaddrinfo(found);
      return s;
    }
    why = std::strerror(err);
  }
  ::freeaddrinfo(found);
  return core::Status::unavailable("cannot connect to " + url.authority() + ": " + why);
}

core::Status write_all(const Socket& s, std::string_view bytes, std::chrono::milliseconds timeout,
                       const Url& url) {
  while (!bytes.empty()) {
    ssize_t n = ::send(s.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const int ready = wait_for(s.fd(), POLLOUT, timeout);
      if (ready > 0) continue;
      if (ready == 0) {
        return core::Status::unavailable(url.authority() + " took more than " +
                                         seconds_text(timeout) + " to accept the request");
      }
    }
    return core::Status::unavailable("connection to " + url.authority() +
                                     " lost: " + std::strerror(errno));
  }
  return {};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The status line and headers of a response, and where its body starts.
struct Head {
  HttpResponse response;
  size_t body_offset = 0;
  std::optional<size_t> content_length;
};

core::Status not_http(std::string_view why) {
  return core::Status::internal("the server's answer is not HTTP/1.x: " + std::string(why));
}

// REQUIRES: `raw` contains the blank line that ends the headers.
core::Result<Head> parse_head(std::string_view raw) {
  const size_t end = raw.find("\r\n\r\n");
  Head head;
  head.body_offset = end + 4;
  std::string_view lines = raw.substr(0, end);
  size_t eol = lines.find("\r\n");
  std::string_view status_line = lines.substr(0, eol);
  // "HTTP/1.1 200 OK": version, space, three digits, then an optional reason.
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return not_http("bad status line");
  }
  std::string_view code = status_line.substr(9, 3);
  auto [code_end, code_ec] = std::from_chars(code.data(), code.data() + 3, head.response.status);
  if (code_ec != std::errc() || code_end != code.data() + 3 || head.response.status < 100) {
    return not_http("bad status code");
  }
  while (eol != std::string_view::npos) {
    const size_t start = eol + 2;
    eol = lines.find("\r\n", start);
    std::string_view line = lines.substr(start, eol == lines.npos ? lines.npos : eol - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return not_http("bad header line");
    head.response.headers[lower(line.substr(0, colon))] = std::string(trim(line.substr(colon + 1)));
  }
  if (auto it = head.response.headers.find("content-length"); it != head.response.headers.end()) {
    const std::string& v = it->second;
    size_t length = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), length);
    if (ec != std::errc() || p != v.data() + v.size()) return not_http("bad Content-Length");
    head.content_length = length;
  }
  if (lower(head.response.header("transfer-encoding")).find("chunked") != std::string::npos) {
    return not_http("chunked bodies are not supported");
  }
  return head;
}

// The response from a head and everything read after it.
core::Result<HttpResponse> complete(Head head, std::string_view raw) {
  std::string_view body = raw.substr(head.body_offset);
  if (head.content_length) {
    if (body.size() < *head.content_length) return not_http("body shorter than Content-Length");
    body = body.substr(0, *head.content_length);
  }
  head.response.body = std::string(body);
  return std::move(head.response);
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

core::Result<HttpResponse> parse_http_response(std::string_view raw) {
  if (raw.find("\r\n\r\n") == std::string_view::npos) return not_http("headers incomplete");
  core::Result<Head> head = parse_head(raw);
  if (!head.ok()) return head.status();
  return complete(std::move(head.value()), raw);
}

SocketHttpClient::SocketHttpClient(Url url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

core::Result<HttpResponse> SocketHttpClient::send(const HttpRequest& req) {
  // A CR or LF in a header value would let it end the header and inject others.
  const auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
  if (std::any_of(req.bearer_key.begin(), req.bearer_key.end(), control)) {
    return core::Status::invalid_argument("the API key contains control characters");
  }
  std::string wire = req.method + " " + url_.base_path + req.path + " HTTP/1.1\r\n";
  wire += "Host: " + url_.authority() + "\r\n";
  wire += "User-Agent: gaia-cli\r\nAccept: application/json\r\nConnection: close\r\n";
  if (!req.bearer_key.empty()) wire += "Authorization: Bearer " + req.bearer_key + "\r\n";
  if (!req.body.empty()) wire += "Content-Type: application/json\r\n";
  wire += "Content-Length: " + std::to_string(req.body.size()) + "\r\n\r\n";
  wire += req.body;

  core::Result<Socket> socket = connect_to(url_, timeout_);
  if (!socket.ok()) return socket.status();
  if (core::Status s = write_all(socket.value(), wire, timeout_, url_); !s.ok()) return s;

  // Read until the server closes, or sooner once Content-Length says the body is all here.
  std::string raw;
  std::optional<Head> head;
  char chunk[16 * 1024];
  for (;;) {
    if (!head && raw.find("\r\n\r\n") != std::string::npos) {
      core::Result<Head> parsed = parse_head(raw);
      if (!parsed.ok()) return parsed.status();
      head = std::move(parsed.value());
    }
    if (head && head->content_length && raw.size() >= head->body_offset + *head->content_length) {
      break;
    }
    ssize_t n = ::recv(socket->fd(), chunk, sizeof chunk, 0);
    if (n > 0) {
      raw.append(chunk, static_cast<size_t>(n));
      if (raw.size() > kMaxResponseBytes) return not_http("response larger than 64 MiB");
      continue;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const int ready = wait_for(socket->fd(), POLLIN, timeout_);
      if (ready > 0) continue;
      if (ready == 0) {
        return core::Status::unavailable("no answer from " + url_.authority() + " within " +
                                         seconds_text(timeout_));
      }
    }
    if (errno == ECONNRESET && head) break;  // a reset after the answer; complete() judges it
    return core::Status::unavailable("connection to " + url_.authority() +
                                     " lost: " + std::strerror(errno));
  }
  if (raw.empty()) {
    return core::Status::unavailable(url_.authority() + " closed the connection without answering");
  }
  if (!head) return parse_http_response(raw);  // the headers may have come with the last read
  return complete(std::move(*head), raw);
}

}  // namespace gaia::cli
