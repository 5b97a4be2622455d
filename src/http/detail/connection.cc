#include "http/detail/connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <string_view>
#include <utility>
#include <vector>

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

}  // namespace

bool ConnectionRegistry::add(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  live_.emplace(c.get(), c);
  return true;
}

void ConnectionRegistry::remove(const Connection* c) {
  std::lock_guard lock(mu_);
  live_.erase(c);
}

void ConnectionRegistry::close_all() {
  std::vector<std::shared_ptr<Connection>> live;
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
    : stream_(std::move(socket)), router_(router), options_(options), registry_(registry) {
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
  router_.route_async(to_request(parser_->get()), [self = shared_from_this()](Response res) {
    // The handler may answer from another thread: write on this connection's strand.
    asio::dispatch(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
      // Read after routing: a stop() that began while the handler ran ends this connection.
      bool keep_alive =
          self->parser_->get().keep_alive() && !self->stopping_ && !self->registry_.stopping();
      self->write(std::move(res), keep_alive);
    });
  });
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

void Connection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace gaia::http::detail
