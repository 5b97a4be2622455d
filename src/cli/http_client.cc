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

#include "cli/chunked_decoder.h"
#include "cli/line_splitter.h"
#include "core/text.h"

namespace gaia::cli {
namespace {

// A response larger than this is not one of ours; stop rather than exhaust memory. A streamed
// body has no total bound, only one per line (LineSplitter's default).
constexpr size_t kMaxResponseBytes = 64 * 1024 * 1024;
constexpr size_t kMaxHeadBytes = 64 * 1024;

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

enum class Wait { kReady, kTimedOut, kFailed, kInterrupted };

// Waits for `events` on `fd`, or for `interrupt_fd` (if >= 0) to become readable. A negative
// timeout waits without bound. The timeout restarts after a signal; we read no clock, so every
// wait, not the whole call, is bounded.
Wait wait_for(int fd, short events, std::chrono::milliseconds timeout, int interrupt_fd) {
  pollfd p[2] = {{fd, events, 0}, {interrupt_fd, POLLIN, 0}};
  const nfds_t n = interrupt_fd >= 0 ? 2 : 1;
  for (;;) {
    const int ready = ::poll(p, n, timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
    if (ready < 0 && errno == EINTR) {
      // A signal handler may have just written to interrupt_fd: poll again to see it.
      continue;
    }
    if (ready < 0) return Wait::kFailed;
    if (ready == 0) return Wait::kTimedOut;
    if (n == 2 && p[1].revents != 0) return Wait::kInterrupted;
    return Wait::kReady;
  }
}

core::Status interrupted() { return core::Status::unavailable("interrupted"); }

core::Result<Socket> connect_to(const Url& url, std::chrono::milliseconds timeout,
                                int interrupt_fd) {
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
      const Wait ready = wait_for(s.fd(), POLLOUT, timeout, interrupt_fd);
      if (ready == Wait::kInterrupted) {
        ::freeaddrinfo(found);
        return interrupted();
      }
      if (ready == Wait::kTimedOut) {
        why = "timed out after " + seconds_text(timeout);
        continue;
      }
      socklen_t len = sizeof err;
      if (ready == Wait::kFailed) {
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

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The status line and headers of a response, where its body starts and how it is framed.
struct Head {
  HttpResponse response;
  size_t body_offset = 0;
  std::optional<size_t> content_length;
  bool chunked = false;  // Transfer-Encoding: chunked; wins over Content-Length (RFC 9112 6.3)
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
    head.response.headers[lower(line.substr(0, colon))] =
        std::string(core::trim(line.substr(colon + 1)));
  }
  const std::string coding = lower(head.response.header("transfer-encoding"));
  if (!coding.empty()) {
    // chunked must be the last coding; we ask for and accept no other.
    if (coding != "chunked") return not_http("unsupported Transfer-Encoding " + coding);
    head.chunked = true;
    return head;
  }
  if (auto it = head.response.headers.find("content-length"); it != head.response.headers.end()) {
    const std::string& v = it->second;
    size_t length = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), length);
    if (ec != std::errc() || p != v.data() + v.size()) return not_http("bad Content-Length");
    head.content_length = length;
  }
  return head;
}

// The response from a head and everything read after it.
core::Result<HttpResponse> complete(Head head, std::string_view raw) {
  std::string_view body = raw.substr(head.body_offset);
  if (head.chunked) {
    ChunkedDecoder decoder;
    if (core::Status s = decoder.feed(body, head.response.body); !s.ok())
      return not_http(s.message());
    if (!decoder.done()) return not_http("chunked body cut short");
    return std::move(head.response);
  }
  if (head.content_length) {
    if (body.size() < *head.content_length) return not_http("body shorter than Content-Length");
    body = body.substr(0, *head.content_length);
  }
  head.response.body = std::string(body);
  return std::move(head.response);
}

// One request's connection: writes and reads with the client's timeout and interrupt.
class Exchange {
 public:
  Exchange(const Url& url, std::chrono::milliseconds timeout, int interrupt_fd)
      : url_(url), timeout_(timeout), interrupt_fd_(interrupt_fd) {}

  core::Status open(const HttpRequest& req, std::string_view accept) {
    // A CR or LF in a header value would let it end the header and inject others.
    const auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
    if (std::any_of(req.bearer_key.begin(), req.bearer_key.end(), control)) {
      return core::Status::invalid_argument("the API key contains control characters");
    }
    std::string wire = req.method + " " + url_.base_path + req.path + " HTTP/1.1\r\n";
    wire += "Host: " + url_.authority() + "\r\n";
    wire += "User-Agent: gaia-cli\r\nAccept: " + std::string(accept) + "\r\nConnection: close\r\n";
    if (!req.bearer_key.empty()) wire += "Authorization: Bearer " + req.bearer_key + "\r\n";
    if (!req.body.empty()) wire += "Content-Type: application/json\r\n";
    wire += "Content-Length: " + std::to_string(req.body.size()) + "\r\n\r\n";
    wire += req.body;

    core::Result<Socket> socket = connect_to(url_, timeout_, interrupt_fd_);
    if (!socket.ok()) return socket.status();
    socket_.emplace(std::move(socket.value()));
    return write_all(wire);
  }

  // Reads what is there into `into`: the number of bytes (0 at end of stream), or unavailable
  // once a wait times out, the connection fails or the client is interrupted. A bounded read
  // waits up to the timeout each time; an unbounded one as long as it takes, calling
  // `on_idle` (if set) after each `idle` of silence.
  core::Result<size_t> read_some(char* into, size_t size, bool bounded,
                                 const std::function<void()>& on_idle = {},
                                 std::chrono::milliseconds idle = std::chrono::milliseconds(0)) {
    const bool notify = !bounded && on_idle && idle.count() > 0;
    for (;;) {
      ssize_t n = ::recv(socket_->fd(), into, size, 0);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        const auto wait = bounded ? timeout_ : notify ? idle : std::chrono::milliseconds(-1);
        const Wait ready = wait_for(socket_->fd(), POLLIN, wait, interrupt_fd_);
        if (ready == Wait::kReady) continue;
        if (ready == Wait::kInterrupted) return interrupted();
        if (ready == Wait::kTimedOut && !bounded) {
          on_idle();
          continue;
        }
        if (ready == Wait::kTimedOut) {
          return core::Status::unavailable("no answer from " + url_.authority() + " within " +
                                           seconds_text(timeout_));
        }
      }
      reset_ = errno == ECONNRESET;
      return lost(errno);
    }
  }

  // The last read failed because the peer reset the connection.
  bool reset() const { return reset_; }

  core::Status lost(int err) const {
    return core::Status::unavailable("connection to " + url_.authority() +
                                     " lost: " + std::strerror(err));
  }

 private:
  core::Status write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(socket_->fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        const Wait ready = wait_for(socket_->fd(), POLLOUT, timeout_, interrupt_fd_);
        if (ready == Wait::kReady) continue;
        if (ready == Wait::kInterrupted) return interrupted();
        if (ready == Wait::kTimedOut) {
          return core::Status::unavailable(url_.authority() + " took more than " +
                                           seconds_text(timeout_) + " to accept the request");
        }
      }
      return lost(errno);
    }
    return {};
  }

  const Url& url_;
  std::chrono::milliseconds timeout_;
  int interrupt_fd_;
  std::optional<Socket> socket_;
  bool reset_ = false;
};

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

SocketHttpClient::SocketHttpClient(Url url, std::chrono::milliseconds timeout, int interrupt_fd)
    : url_(std::move(url)), timeout_(timeout), interrupt_fd_(interrupt_fd) {}

core::Result<HttpResponse> SocketHttpClient::send(const HttpRequest& req) {
  Exchange x(url_, timeout_, interrupt_fd_);
  if (core::Status s = x.open(req, "application/json"); !s.ok()) return s;

  // Read until the server closes, or sooner once the framing says the body is all here.
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
    // A chunked body ends with "0\r\n\r\n" (no trailers from our server); complete() checks.
    if (head && head->chunked && raw.size() >= head->body_offset + 5 &&
        raw.ends_with("0\r\n\r\n")) {
      if (complete(*head, raw).ok()) break;
    }
    core::Result<size_t> n = x.read_some(chunk, sizeof chunk, true);
    if (!n.ok()) {
      // A reset after the answer; complete() judges it.
      if (head && x.reset()) break;
      return n.status();
    }
    if (n.value() == 0) break;
    raw.append(chunk, n.value());
    if (raw.size() > kMaxResponseBytes) return not_http("response larger than 64 MiB");
  }
  if (raw.empty()) {
    return core::Status::unavailable(url_.authority() + " closed the connection without answering");
  }
  if (!head) return parse_http_response(raw);  // the headers may have come with the last read
  return complete(std::move(*head), raw);
}

core::Status SocketHttpClient::stream(const HttpRequest& req, const StreamHandler& handler) {
  Exchange x(url_, timeout_, interrupt_fd_);
  if (core::Status s = x.open(req, "application/x-ndjson, application/json"); !s.ok()) return s;

  // The head, within the timeout.
  std::string raw;
  char chunk[16 * 1024];
  while (raw.find("\r\n\r\n") == std::string::npos) {
    if (raw.size() > kMaxHeadBytes) return not_http("headers larger than 64 KiB");
    core::Result<size_t> n = x.read_some(chunk, sizeof chunk, true);
    if (!n.ok()) return n.status();
    if (n.value() == 0) {
      return core::Status::unavailable(
          raw.empty() ? url_.authority() + " closed the connection without answering"
                      : url_.authority() + " closed the connection in the middle of the headers");
    }
    raw.append(chunk, n.value());
  }
  core::Result<Head> parsed = parse_head(raw);
  if (!parsed.ok()) return parsed.status();
  Head& head = parsed.value();
  if (handler.on_head) handler.on_head(head.response);

  // The body, as long as it takes.
  LineSplitter lines;
  const LineSplitter::LineFn on_line = [&handler](std::string_view line) {
    if (handler.on_line) handler.on_line(line);
  };
  ChunkedDecoder decoder;
  std::string decoded;
  std::optional<size_t> left = head.content_length;
  // Feeds raw body bytes through the framing; true once the body is complete.
  auto take = [&](std::string_view bytes, bool& complete_body) -> core::Status {
    if (head.chunked) {
      decoded.clear();
      if (core::Status s = decoder.feed(bytes, decoded); !s.ok()) return not_http(s.message());
      complete_body = decoder.done();
      return lines.feed(decoded, on_line);
    }
    if (left) {
      bytes = bytes.substr(0, std::min(bytes.size(), *left));
      *left -= bytes.size();
      complete_body = *left == 0;
    }
    return lines.feed(bytes, on_line);
  };

  bool done = false;
  if (core::Status s = take(std::string_view(raw).substr(head.body_offset), done); !s.ok()) {
    return s;
  }
  while (!done) {
    core::Result<size_t> n =
        x.read_some(chunk, sizeof chunk, false, handler.on_idle, handler.idle_interval);
    // A partial last line of a body cut short is dropped: it is no whole line of the answer.
    if (!n.ok()) return n.status();
    if (n.value() == 0) {
      if (head.chunked || left) {
        return core::Status::unavailable("connection to " + url_.authority() +
                                         " closed before the answer ended");
      }
      lines.finish(on_line);
      return {};  // no framing: the end of the connection ends the body
    }
    if (core::Status s = take(std::string_view(chunk, n.value()), done); !s.ok()) return s;
  }
  lines.finish(on_line);
  return {};
}

}  // namespace gaia::cli
