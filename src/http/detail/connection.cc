#include "http/detail/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <string_view>
#include <utility>
#include <vector>

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

Request to_request(bhttp::request<bhttp::string_body>& msg) {
  Request req;
  req.method = std::string(msg.method_string());
  std::string_view target = msg.target();
  std::size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  for (const auto& field : msg) {
    req.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  req.body = std::move(msg.body());
  return req;
}

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

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

// The handle a stream handler holds: forwards to the connection's strand. Holding the
// connection keeps it (and so the stream's state) alive while the producer writes.
class StreamHandle final : public ResponseStream {
 public:
  StreamHandle(std::shared_ptr<Connection> c, std::shared_ptr<StreamShared> shared)
      : c_(std::move(c)), sh_(std::move(shared)) {}
  ~StreamHandle() override {
    asio::post(c_->strand(), [c = c_, sh = sh_] { c->stream_abandoned(sh.get()); });
  }

  void begin(unsigned status, std::string content_type, std::vector<Header> headers) override {
    if (sh_->begun.exchange(true)) return;
    asio::post(c_->strand(), [c = c_, sh = sh_, status, ct = std::move(content_type),
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
    asio::post(c_->strand(), [c = c_, sh = sh_, f = std::move(framed)]() mutable {
      c->stream_write(sh.get(), std::move(f));
    });
    return true;
  }

  void finish() override {
    if (sh_->closed.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(c_->strand(), [c = c_, sh = sh_] { c->stream_finish(sh.get()); });
  }

  bool closed() const override { return sh_->closed.load(std::memory_order_acquire); }
  std::size_t pending_bytes() const override {
    return sh_->pending.load(std::memory_order_acquire);
  }
  void on_close(std::function<void()> fn) override {
    asio::post(c_->strand(), [c = c_, sh = sh_, fn = std::move(fn)]() mutable {
      c->stream_on_close(sh.get(), std::move(fn));
    });
  }

 private:
  const std::shared_ptr<Connection> c_;
  const std::shared_ptr<StreamShared> sh_;
};

}  // namespace

bool ConnectionRegistry::add(const std::shared_ptr<Closable>& c) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  live_.emplace(c.get(), c);
  return true;
}

void ConnectionRegistry::remove(const Closable* c) {
  std::lock_guard lock(mu_);
  live_.erase(c);
}

void ConnectionRegistry::close_all() {
  std::vector<std::shared_ptr<Closable>> live;
  {
    std::lock_guard lock(mu_);
    stopping_.store(true, std::memory_order_release);
    for (auto& [ptr, weak] : live_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  // Outside the lock: dropping the last reference runs ~Connection, which calls remove().
  for (auto& c : live) c->shutdown();
}

Connection::Connection(StrandSocket socket, const Router& router, const ServerOptions& options,
                       ConnectionRegistry& registry)
    : stream_(std::move(socket)),
      router_(router),
      options_(options),
      registry_(registry),
      write_timer_(stream_.get_executor()),
      drain_timer_(stream_.get_executor()) {
  // Each response is one write: send it now rather than wait for an ACK (Nagle).
  beast::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
}

Connection::~Connection() { registry_.remove(this); }

void Connection::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
}

void Connection::shutdown() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    // Only the wait for a new request is cut short; a request being read or answered finishes.
    if (self->phase_ == Phase::kIdle) self->stream_.cancel();
    // A stream gets half the drain time to finish, so that stop() still ends in time.
    if (self->phase_ == Phase::kStreaming && !self->s_.ended) {
      self->drain_timer_.expires_after(self->options_.drain_timeout / 2);
      self->drain_timer_.async_wait(
          [self, id = self->s_.shared.get()](beast::error_code ec) {
            if (!ec && self->current(id) && !self->s_.ended) self->stream_failed();
          });
    }
  });
}

// Waits for the first bytes of the next request under the idle timeout, so that an idle
// keep-alive connection is told apart from one with a request in flight.
void Connection::wait_for_request() {
  if (stopping_ || registry_.stopping()) return close();
  if (buffer_.size() > 0) return read_request();  // the client already sent the next request
  phase_ = Phase::kIdle;
  stream_.expires_after(options_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->on_first_bytes(ec, n);
                          });
}

void Connection::on_first_bytes(beast::error_code ec, std::size_t n) {
  if (ec) return close();  // peer closed, idle timeout, or shutdown()
  buffer_.commit(n);
  read_request();
}

void Connection::read_request() {
  phase_ = Phase::kBusy;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  parser_->body_limit(options_.max_body_bytes);
  stream_.expires_after(options_.read_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Connection::on_read(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) {
    return write(error_response(431, "header_too_large", "request header too large"), false);
  }
  if (ec == bhttp::error::body_limit) {
    return write(error_response(413, "body_too_large", "request body too large"), false);
  }
  if (is_parse_error(ec)) {
    return write(error_response(400, "bad_request", "malformed HTTP request: " + ec.message()),
                 false);
  }
  if (ec) return close();  // timeout, reset, or end of stream mid-request
  router_.route_async(
      to_request(parser_->get()),
      [self = shared_from_this()](Response res) {
    // The handler may answer from another thread: write on this connection's strand.
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
          self->parser_->get().keep_alive() && !self->stopping_ && !self->registry_.stopping();
      self->write(std::move(res), keep_alive);
    });
      },
      this);
}

void Connection::write(Response res, bool keep_alive) {
  response_ = {};
  response_.version(11);
  response_.result(res.status);
  response_.set(bhttp::field::server, "gaia");
  response_.set(bhttp::field::content_type, res.content_type);
  for (const Header& h : res.headers) response_.set(h.name, h.value);
  response_.body() = std::move(res.body);
  response_.keep_alive(keep_alive);
  response_.prepare_payload();
  stream_.expires_after(options_.write_timeout);
  bhttp::async_write(stream_, response_,
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
  const auto& req = parser_->get();
  const bool chunked = req.version() >= 11;
  phase_ = Phase::kStreaming;
  s_ = StreamState{};
  s_.shared = std::make_shared<StreamShared>(chunked, options_.stream_max_pending_bytes);
  s_.keep_alive = chunked && req.keep_alive() && !stopping_ && !registry_.stopping();
  s_.observe = std::move(observe);
  // From here the socket is used directly: no timeout of stream_ may close it under us.
  stream_.expires_never();
  watch_client();
  return std::make_shared<StreamHandle>(shared_from_this(), s_.shared);
}

void Connection::upgrade(UpgradeTaker take) {
  phase_ = Phase::kUpgraded;
  stream_.expires_never();
  auto up = std::unique_ptr<Upgrade>(new Upgrade{stream_.release_socket(), std::move(buffer_),
                                                 parser_->release(), registry_,
                                                 options_.drain_timeout});
  take(std::move(up));
}

void Connection::stream_begin(const StreamShared* id, unsigned status, std::string content_type,
                              std::vector<Header> headers) {
  if (!current(id) || s_.begun || s_.ended) return;
  s_.begun = true;
  if (stopping_ || registry_.stopping()) s_.keep_alive = false;
  std::string head = "HTTP/1.";
  head += s_.shared->chunked ? "1 " : "0 ";
  head += std::to_string(status);
  head += ' ';
  head += bhttp::obsolete_reason(bhttp::int_to_status(status));
  head += "\r\nServer: gaia\r\n";
  if (!has_crlf(content_type)) head.append("Content-Type: ").append(content_type).append("\r\n");
  if (s_.shared->chunked) head += "Transfer-Encoding: chunked\r\n";
  if (!s_.keep_alive) head += "Connection: close\r\n";
  for (const Header& h : headers) {
    if (has_crlf(h.name) || has_crlf(h.value) || h.name.empty()) {
      spdlog::warn("stream header dropped: CR or LF in {:?}", h.name);
      continue;
    }
    head.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  head += "\r\n";
  s_.shared->pending.fetch_add(head.size(), std::memory_order_acq_rel);
  s_.queue.push_front(std::move(head));
  if (s_.observe) s_.observe(status);
  stream_flush();
}

void Connection::stream_write(const StreamShared* id, std::string framed) {
  if (!current(id) || s_.ended || s_.finish_queued) {
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
  if (s_.shared->chunked) {
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
  stream_begin(id, r.status, r.content_type, {});
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
  write_timer_.async_wait([self = shared_from_this(), id = s_.shared.get(), seq](
                              beast::error_code ec) {
    if (ec || !self->current(id) || !self->s_.writing || self->s_.write_seq != seq) return;
    self->stream_failed();  // the client stopped reading
  });
  asio::async_write(stream_.socket(), buffers,
                    [self = shared_from_this(), id = s_.shared.get()](beast::error_code ec,
                                                                      std::size_t) {
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
  stream_.socket().async_read_some(
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

void Connection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace gaia::http::detail
