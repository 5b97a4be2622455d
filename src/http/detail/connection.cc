#include "http/detail/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "http/ws_upgrade.h"

namespace gaia::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t kFirstReadBytes = 4096;

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// The request as Beast's WebSocket handshake reads it.
bhttp::request<bhttp::string_body> to_beast(const Request& req, int version) {
  bhttp::request<bhttp::string_body> msg;
  msg.method_string(req.method);
  msg.target(req.query.empty() ? req.path : req.path + '?' + req.query);
  msg.version(version);
  for (const Header& h : req.headers) msg.insert(h.name, h.value);
  msg.body() = req.body;
  return msg;
}

// Two memchr scans: find_first_of would test every character against the set one by one.
bool has_crlf(std::string_view s) {
  return s.find('\r') != std::string_view::npos || s.find('\n') != std::string_view::npos;
}

// The Date field's value (RFC 9110 6.6.1, IMF-fixdate) for now, rendered once a second per io
// thread (nginx caches its HTTP time the same way): a response costs a clock read, no
// formatting.
std::string_view http_date(core::WallTime wall) {
  thread_local std::time_t rendered_for = -1;
  thread_local char text[40];
  thread_local std::size_t size = 0;
  const std::time_t now = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(wall));
  if (now != rendered_for) {
    // Names spelled out: strftime's would follow the locale.
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm utc{};
    gmtime_r(&now, &utc);
    const int n = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                kDays[utc.tm_wday], utc.tm_mday, kMonths[utc.tm_mon],
                                utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    size = n > 0 ? static_cast<std::size_t>(n) : 0;
    rendered_for = now;
  }
  return {text, size};
}

// How a response's body is delimited.
enum class Framing { kLength, kChunked, kUntilClose, kNone };

// Writes a head's pieces through a pointer into room reserved for all of them at once: no
// capacity check or terminator per piece. Its string's true length is set when it goes.
class HeadWriter {
 public:
  HeadWriter(std::string& out, std::size_t most) : out_(out), start_(out.size()) {
    out_.resize(start_ + most);
    p_ = out_.data() + start_;
  }
  ~HeadWriter() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }
  HeadWriter(const HeadWriter&) = delete;
  HeadWriter& operator=(const HeadWriter&) = delete;

  HeadWriter& operator<<(std::string_view piece) {
    std::memcpy(p_, piece.data(), piece.size());
    p_ += piece.size();
    return *this;
  }

 private:
  std::string& out_;
  std::size_t start_;
  char* p_;
};

// Appends a response's status line and header block, through the blank line that ends it.
// A header with CR or LF in it would split the response: it is dropped and logged.
void append_head(std::string& out, std::string_view date, bool http11, unsigned status,
                 std::string_view content_type, const std::vector<Header>& headers, Framing framing,
                 std::size_t length, bool keep_alive) {
  const boost::beast::string_view reason = bhttp::obsolete_reason(bhttp::int_to_status(status));
  const bool typed = !content_type.empty() && !has_crlf(content_type);
  // The fixed pieces below take less than this; the variable ones are counted.
  constexpr std::size_t kFixedBytes = 192;
  std::size_t most = kFixedBytes + reason.size() + date.size() + content_type.size();
  for (const Header& h : headers) most += h.name.size() + h.value.size() + 4;
  HeadWriter w(out, most);

  const char code[4] = {char('0' + status / 100 % 10), char('0' + status / 10 % 10),
                        char('0' + status % 10), ' '};
  w << (http11 ? "HTTP/1.1 " : "HTTP/1.0 ") << std::string_view(code, sizeof code)
    << std::string_view(reason.data(), reason.size()) << "\r\nServer: gaia\r\nDate: " << date
    << "\r\n";
  if (typed) w << "Content-Type: " << content_type << "\r\n";
  for (const Header& h : headers) {
    if (has_crlf(h.name) || has_crlf(h.value) || h.name.empty()) {
      spdlog::warn("response header dropped: CR or LF in {:?}", h.name);
      continue;
    }
    w << h.name << ": " << h.value << "\r\n";
  }
  switch (framing) {
    case Framing::kLength: {
      char digits[20];
      const char* end = std::to_chars(digits, digits + sizeof digits, length).ptr;
      w << "Content-Length: " << std::string_view(digits, end - digits) << "\r\n";
      break;
    }
    case Framing::kChunked:
      w << "Transfer-Encoding: chunked\r\n";
      break;
    case Framing::kUntilClose:
    case Framing::kNone:
      break;
  }
  // HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 closes unless told to keep.
  if (!keep_alive) {
    w << "Connection: close\r\n";
  } else if (!http11) {
    w << "Connection: keep-alive\r\n";
  }
  w << "\r\n";
}

// Informational, 204 and 304 responses carry no body and no Content-Length (RFC 9110 8.6).
bool bodiless(unsigned status) { return status < 200 || status == 204 || status == 304; }

// "<size in hex>\r\n<chunk>\r\n", or the chunk itself for an HTTP/1.0 client.
std::string frame(std::string chunk, bool chunked) {
  if (!chunked) return chunk;
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  std::string framed;
  framed.reserve(static_cast<std::size_t>(n) + chunk.size() + 2);
  framed.append(size, static_cast<std::size_t>(n)).append(chunk).append("\r\n");
  return framed;
}

// The handle a stream handler holds: forwards to the connection's thread. Holding the
// connection keeps it (and so the stream's state) alive while the producer writes.
class StreamHandle final : public ResponseStream {
 public:
  StreamHandle(std::shared_ptr<Connection> c, std::shared_ptr<StreamShared> shared)
      : c_(std::move(c)), sh_(std::move(shared)) {}
  ~StreamHandle() override {
    asio::post(c_->executor(), [c = c_, sh = sh_] { c->stream_abandoned(sh.get()); });
  }

  void begin(unsigned status, std::string content_type, std::vector<Header> headers) override {
    if (sh_->begun.exchange(true)) return;
    asio::post(c_->executor(), [c = c_, sh = sh_, status, ct = std::move(content_type),
                                h = std::move(headers)]() mutable {
      c->stream_begin(sh.get(), status, std::move(ct), std::move(h));
    });
  }

  bool write(std::string chunk) override {
    if (sh_->closed.load(std::memory_order_acquire)) return false;
    if (chunk.empty()) return true;  // an empty chunk would end the response
    if (!sh_->begun.load(std::memory_order_acquire)) begin(200, "application/octet-stream", {});
    std::string framed = frame(std::move(chunk), sh_->chunked);
    const std::size_t n = framed.size();
    // Reserve room first, so that concurrent writers never pass the bound together; a chunk
    // larger than the bound still goes when nothing else is pending.
    const std::size_t before = sh_->pending.fetch_add(n, std::memory_order_acq_rel);
    if (before != 0 && before + n > sh_->max_pending) {
      sh_->pending.fetch_sub(n, std::memory_order_acq_rel);
      return false;
    }
    asio::post(c_->executor(), [c = c_, sh = sh_, f = std::move(framed)]() mutable {
      c->stream_write(sh.get(), std::move(f));
    });
    return true;
  }

  void finish() override {
    if (sh_->closed.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(c_->executor(), [c = c_, sh = sh_] { c->stream_finish(sh.get()); });
  }

  bool closed() const override { return sh_->closed.load(std::memory_order_acquire); }
  std::size_t pending_bytes() const override {
    return sh_->pending.load(std::memory_order_acquire);
  }
  void on_close(std::function<void()> fn) override {
    asio::post(c_->executor(), [c = c_, sh = sh_, fn = std::move(fn)]() mutable {
      c->stream_on_close(sh.get(), std::move(fn));
    });
  }

 private:
  const std::shared_ptr<Connection> c_;
  const std::shared_ptr<StreamShared> sh_;
};

}  // namespace

bool ConnectionRegistry::add(const std::shared_ptr<Closable>& c) {
  core::MutexLock lock(mu_);
  if (stopping_) return false;
  live_.emplace(c.get(), c);
  return true;
}

void ConnectionRegistry::remove(const Closable* c) {
  core::MutexLock lock(mu_);
  live_.erase(c);
}

void ConnectionRegistry::close_all() {
  std::vector<std::shared_ptr<Closable>> live;
  {
    core::MutexLock lock(mu_);
    stopping_.store(true, std::memory_order_release);
    for (auto& [ptr, weak] : live_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  // Outside the lock: dropping the last reference runs ~Connection, which calls remove().
  for (auto& c : live) c->shutdown();
}

Connection::Connection(Stream stream, ConnectionCaps::Slot slot, const Router& router,
                       const ServerOptions& options, ConnectionRegistry& registry,
                       BlockingPools& blocking)
    : stream_(std::move(stream)),
      slot_(std::move(slot)),
      router_(router),
      options_(options),
      registry_(registry),
      blocking_(blocking),
      watchdog_(stream_.get_executor()),
      write_timer_(stream_.get_executor()),
      drain_timer_(stream_.get_executor()) {
  // Each response is one write: send it now rather than wait for an ACK (Nagle).
  beast::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  // A write tried in place (write()) must never wait: only asynchronous operations, which
  // work either way, use the socket otherwise.
  if (!stream_.tls()) stream_.socket().non_blocking(true, ignored);
}

Connection::~Connection() { registry_.remove(this); }

void Connection::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->stream_.tls()) return self->wait_for_request();
    // The handshake is bounded like the reading of a request.
    self->set_deadline(self->options_.read_timeout);
    self->stream_.async_handshake([self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

void Connection::on_handshake(beast::error_code ec) {
  if (ec) return close();  // not TLS, a certificate the client refused, or a timeout
  wait_for_request();
}

void Connection::shutdown() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    // Only the wait for a new request is cut short; a request being read or answered finishes.
    if (self->phase_ == Phase::kIdle) {
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    }
    // A stream gets half the drain time to finish, so that stop() still ends in time.
    if (self->phase_ == Phase::kStreaming && !self->s_.ended) {
      self->drain_timer_.expires_after(self->options_.drain_timeout / 2);
      self->drain_timer_.async_wait([self, id = self->s_.shared.get()](beast::error_code ec) {
        if (!ec && self->current(id) && !self->s_.ended) self->stream_failed();
      });
    }
  });
}

// Waits for the first bytes of the next request under the idle timeout, so that an idle
// keep-alive connection is told apart from one with a request in flight.
void Connection::wait_for_request() {
  if (stopping_ || registry_.stopping()) return close();
  if (buffer_.size() > 0) return read_request(false);  // the client sent the next request
  phase_ = Phase::kIdle;
  set_deadline(options_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->on_first_bytes(ec, n);
                          });
}

void Connection::on_first_bytes(beast::error_code ec, std::size_t n) {
  if (ec) return close();  // peer closed, idle timeout, or shutdown()
  buffer_.commit(n);
  read_request(true);
}

void Connection::read_request(bool parse_here) {
  phase_ = Phase::kBusy;
  parser_.emplace(request_);
  parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  parser_->body_limit(options_.max_body_bytes);
  parser_->eager(true);  // as a read of the whole message asks
  set_deadline(options_.read_timeout);
  // A request mostly comes whole in one read: parsed here, it is answered without the read
  // operation's round through the loop. Only just after a read: an answer written at once
  // comes back here through wait_for_request(), which must not go on parsing a long pipeline
  // of requests already in the buffer on one stack.
  if (parse_here) {
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec || used == 0) break;
    }
    if (parser_->is_done() || (ec && ec != bhttp::error::need_more)) return on_read(ec);
  }
  if (parser_->is_header_done()) return read_body();
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return self->on_read(ec);
                             self->read_body();
                           });
}

void Connection::read_body() {
  if (parser_->is_done()) return on_read({});
  // A client that asked to be told, and has sent none of the body yet, waits for this before
  // it sends any (curl for a second). RFC 9110 section 10.1.1; HTTP/1.0 has no such answer.
  if (buffer_.size() == 0 && parser_->version() >= 11 &&
      core::iequals(request_.header("Expect"), "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        self->read_rest();
                      });
    return;
  }
  read_rest();
}

void Connection::read_rest() {
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Connection::on_read(beast::error_code ec) {
  if (options_.access != nullptr) request_read_ = clock().mono_now();
  if (ec == bhttp::error::header_limit) {
    return write(error_response(431, "header_too_large", "request header too large"), false);
  }
  if (ec == bhttp::error::body_limit) {
    return write(error_response(413, "body_too_large", "request body too large"), false);
  }
  if (is_parse_error(ec)) {
    if (parser_->refusal_status() == 501) {
      return write(error_response(501, "not_implemented", parser_->refusal()), false);
    }
    const std::string why =
        parser_->refusal().empty() ? ec.message() : std::string(parser_->refusal());
    return write(error_response(400, "bad_request", "malformed HTTP request: " + why), false);
  }
  if (ec) return close();  // timeout, reset, or end of stream mid-request
  clear_deadline();        // the handler takes what it takes; the write has its own deadline
  router_.route_async(
      request_,
      [self = shared_from_this()](Response res) {
        // The handler may answer from another thread: write on this connection's thread.
        asio::dispatch(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
          // A stream or upgrade route answers through the stream or not at all; a late Response
          // (a stream handler that threw) has nowhere to go.
          if (self->phase_ != Phase::kBusy) {
            spdlog::warn("response {} after the connection became a stream or was upgraded",
                         res.status);
            return;
          }
          // Read after routing: a stop() that began while the handler ran ends this connection.
          bool keep_alive =
              self->parser_->keep_alive() && !self->stopping_ && !self->registry_.stopping();
          self->write(std::move(res), keep_alive);
        });
      },
      this);
}

void Connection::write(Response res, bool keep_alive) {
  const bool http11 = parser_->version() >= 11;
  const bool no_body = bodiless(res.status);
  head_.clear();
  append_head(head_, http_date(clock().wall_now()), http11, res.status, res.content_type,
              res.headers, no_body ? Framing::kNone : Framing::kLength, res.body.size(),
              keep_alive);
  // A HEAD answer says how long the body would be and sends none.
  body_ = no_body || request_.method == "HEAD" ? std::string() : std::move(res.body);
  tell_access(res.status, body_.size());
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
  set_deadline(options_.write_timeout);
  // On plain TCP an answer mostly fits the socket's buffer: sent here, it needs no write
  // operation through the loop. What did not fit is written the usual way.
  if (!stream_.tls()) {
    beast::error_code ec;
    const std::size_t sent = stream_.socket().write_some(buffers, ec);
    if (ec && ec != asio::error::would_block) return on_write(ec, keep_alive);
    if (sent == head_.size() + body_.size()) return on_write({}, keep_alive);
    if (sent < head_.size()) {
      buffers[0] += sent;
    } else {
      buffers = {asio::const_buffer(), asio::buffer(body_) + (sent - head_.size())};
    }
  }
  asio::async_write(stream_, buffers,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->on_write(ec, keep_alive);
                    });
}

void Connection::on_write(beast::error_code ec, bool keep_alive) {
  if (ec || !keep_alive) return close();
  parser_.reset();
  wait_for_request();
}

std::shared_ptr<ResponseStream> Connection::open_stream(std::function<void(unsigned)> observe) {
  const bool chunked = parser_->version() >= 11;
  phase_ = Phase::kStreaming;
  s_ = StreamState{};
  s_.shared = std::make_shared<StreamShared>(chunked, options_.stream_max_pending_bytes);
  s_.keep_alive = chunked && parser_->keep_alive() && !stopping_ && !registry_.stopping();
  s_.observe = std::move(observe);
  s_.head_only = request_.method == "HEAD";
  // From here the stream's own timers apply: the connection's deadline must not close it.
  clear_deadline();
  watch_client();
  return std::make_shared<StreamHandle>(shared_from_this(), s_.shared);
}

bool Connection::run_blocking(std::size_t pool, std::function<void()> work) {
  // The loop keeps running until the work has answered, even while the server stops.
  return blocking_.try_post(
      pool,
      [work = std::move(work), busy = asio::make_work_guard(stream_.get_executor())]() { work(); });
}

const core::Clock& Connection::clock() const { return *options_.clock; }

void Connection::tell_access(unsigned status, std::optional<std::size_t> body_bytes) {
  if (options_.access == nullptr) return;
  const auto took =
      std::chrono::duration_cast<std::chrono::microseconds>(clock().mono_now() - request_read_);
  options_.access->answered({request_, status, body_bytes, took});
}

void Connection::upgrade(UpgradeTaker take) {
  tell_access(101, std::nullopt);
  phase_ = Phase::kUpgraded;
  clear_deadline();
  watchdog_.cancel();  // its wait holds this connection, which the upgrade leaves behind
  auto up = std::unique_ptr<Upgrade>(
      new Upgrade{std::move(stream_), std::move(slot_), std::move(buffer_),
                  to_beast(request_, parser_->version()), registry_, options_.drain_timeout});
  take(std::move(up));
}

void Connection::stream_begin(const StreamShared* id, unsigned status, std::string content_type,
                              std::vector<Header> headers) {
  if (!current(id) || s_.begun || s_.ended) return;
  s_.begun = true;
  if (stopping_ || registry_.stopping()) s_.keep_alive = false;
  std::string head;
  append_head(head, http_date(clock().wall_now()), s_.shared->chunked, status, content_type,
              headers, s_.shared->chunked ? Framing::kChunked : Framing::kUntilClose, 0,
              s_.keep_alive);
  s_.shared->pending.fetch_add(head.size(), std::memory_order_acq_rel);
  s_.queue.push_front(std::move(head));
  if (s_.observe) s_.observe(status);
  tell_access(status, std::nullopt);
  stream_flush();
}

void Connection::stream_write(const StreamShared* id, std::string framed) {
  if (!current(id) || s_.ended || s_.finish_queued || s_.head_only) {
    if (current(id)) s_.shared->pending.fetch_sub(framed.size(), std::memory_order_acq_rel);
    return;
  }
  s_.queue.push_back(std::move(framed));
  stream_flush();
}

void Connection::stream_finish(const StreamShared* id) {
  if (!current(id) || s_.ended || s_.finish_queued) return;
  if (!s_.begun) stream_begin(id, 200, "application/octet-stream", {});
  s_.finish_queued = true;
  if (s_.shared->chunked && !s_.head_only) {
    std::string last = "0\r\n\r\n";
    s_.shared->pending.fetch_add(last.size(), std::memory_order_acq_rel);
    s_.queue.push_back(std::move(last));
  } else {
    s_.keep_alive = false;  // an HTTP/1.0 body ends with the connection
  }
  stream_flush();
}

void Connection::stream_abandoned(const StreamShared* id) {
  if (!current(id) || s_.ended || s_.finish_queued) return;
  if (s_.begun) {
    spdlog::warn("a response stream was dropped unfinished; closing its connection");
    return stream_failed();
  }
  // Nothing was sent: answer as a plain handler that failed would.
  Response r = error_response(500, "internal", "internal error");
  stream_begin(id, r.status, std::string(r.content_type), {});
  std::string body = frame(std::move(r.body), s_.shared->chunked);
  s_.shared->pending.fetch_add(body.size(), std::memory_order_acq_rel);
  s_.queue.push_back(std::move(body));
  s_.shared->closed.store(true, std::memory_order_release);
  stream_finish(id);
}

void Connection::stream_on_close(const StreamShared* id, std::function<void()> fn) {
  if (s_.shared.get() != id) {
    // The stream is over; it ended without finishing unless it was finished, in which case
    // the connection moved on (or closed) only after the last chunk was written.
    return;
  }
  if (s_.ended && !s_.finished) {
    if (!s_.close_fired) {
      s_.close_fired = true;
      fn();
    }
    return;
  }
  s_.on_close = std::move(fn);
}

void Connection::stream_flush() {
  if (s_.writing || s_.ended || !s_.begun || s_.queue.empty()) return;
  s_.writing = true;
  s_.in_flight.clear();
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(s_.queue.size());
  while (!s_.queue.empty()) {
    s_.in_flight.push_back(std::move(s_.queue.front()));
    s_.queue.pop_front();
  }
  for (const std::string& b : s_.in_flight) buffers.push_back(asio::buffer(b));
  const uint64_t seq = ++s_.write_seq;
  write_timer_.expires_after(options_.write_timeout);
  write_timer_.async_wait(
      [self = shared_from_this(), id = s_.shared.get(), seq](beast::error_code ec) {
        if (ec || !self->current(id) || !self->s_.writing || self->s_.write_seq != seq) return;
        self->stream_failed();  // the client stopped reading
      });
  asio::async_write(
      stream_, buffers,
      [self = shared_from_this(), id = s_.shared.get()](beast::error_code ec, std::size_t) {
        if (!self->current(id)) return;
        self->on_stream_written(ec);
      });
}

void Connection::on_stream_written(beast::error_code ec) {
  s_.writing = false;
  write_timer_.cancel();
  std::size_t n = 0;
  for (const std::string& b : s_.in_flight) n += b.size();
  s_.in_flight.clear();
  s_.shared->pending.fetch_sub(n, std::memory_order_acq_rel);
  if (s_.ended) return;
  if (ec) return stream_failed();
  if (!s_.queue.empty()) return stream_flush();
  if (s_.finish_queued) stream_done();
}

// An outstanding read tells when the client goes away: a stream only writes, so without it a
// closed connection would be noticed only by a failed write, if ever.
void Connection::watch_client() {
  s_.watching = true;
  stream_.async_read_some(
      buffer_.prepare(kFirstReadBytes),
      [self = shared_from_this(), id = s_.shared.get()](beast::error_code ec, std::size_t n) {
        if (self->phase_ == Phase::kUpgraded || self->s_.shared.get() != id) return;
        self->on_watch(ec, n);
      });
}

void Connection::on_watch(beast::error_code ec, std::size_t n) {
  s_.watching = false;
  if (n > 0) buffer_.commit(n);  // a pipelined next request: kept for after the stream
  if (s_.finished) {
    if (s_.resume_after_watch) resume();
    return;
  }
  if (s_.ended) return;
  if (ec) return stream_failed();  // end of stream or reset: the client went away
  // Stop watching once a client sends more than a request header's worth during the stream.
  if (buffer_.size() < options_.max_header_bytes) watch_client();
}

void Connection::stream_failed() {
  if (s_.ended) return;
  s_.ended = true;
  s_.shared->closed.store(true, std::memory_order_release);
  write_timer_.cancel();
  drain_timer_.cancel();
  close();
  if (s_.on_close && !s_.close_fired) {
    s_.close_fired = true;
    auto fn = std::move(s_.on_close);
    fn();
  }
}

void Connection::stream_done() {
  s_.ended = true;
  s_.finished = true;
  s_.on_close = nullptr;  // finished: the callback never runs
  drain_timer_.cancel();
  if (!s_.keep_alive || stopping_ || registry_.stopping()) return close();
  if (s_.watching) {
    // Cancel the watch; its handler resumes, so that no two reads are ever outstanding.
    s_.resume_after_watch = true;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
    return;
  }
  resume();
}

void Connection::resume() {
  phase_ = Phase::kBusy;
  parser_.reset();
  wait_for_request();
}

void Connection::set_deadline(std::chrono::milliseconds timeout) {
  deadline_ = clock().mono_now() + timeout;
  if (!watchdog_waiting_) watch_deadline();
}

void Connection::clear_deadline() { deadline_ = core::MonoTime::max(); }

void Connection::watch_deadline() {
  watchdog_waiting_ = true;
  // Never sleep past the shortest timeout from now: every deadline set later ends no sooner,
  // so the timer never has to be moved earlier.
  const auto shortest =
      std::min({options_.idle_timeout, options_.read_timeout, options_.write_timeout});
  watchdog_.expires_after(
      std::min<std::chrono::steady_clock::duration>(deadline_ - clock().mono_now(), shortest));
  watchdog_.async_wait([self = shared_from_this()](beast::error_code) {
    self->watchdog_waiting_ = false;
    // Closed or upgraded; or no deadline now, and the next set_deadline() watches again.
    if (!self->stream_.socket().is_open() || self->deadline_ == core::MonoTime::max()) {
      return;
    }
    if (self->clock().mono_now() >= self->deadline_) return self->close();
    self->watch_deadline();  // moved on since the wait began: sleep until the new deadline
  });
}

void Connection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
  watchdog_.cancel();
}

}  // namespace gaia::http::detail
