#pragma once
// Stream: the byte stream of one accepted connection, plain TCP or TLS over it, chosen when the
// connection is accepted. Connections, HTTP reads and writes and WebSocket sessions all speak
// to a Stream, so the one code path serves both. A Beast AsyncReadStream and AsyncWriteStream.
//
// Threads: like the socket it holds, one connection's thread at a time.

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <utility>
#include <variant>

namespace gaia::http::detail {

// A connection's executor: its io thread's io_context, which one thread runs, so handlers on it
// never run concurrently (the Server gives each io thread its own). Named by concrete type, so
// that every operation on it skips the type erasure of any_io_executor.
using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
using TlsSocket = boost::asio::ssl::stream<Socket>;

class Stream {
 public:
  using executor_type = Executor;

  explicit Stream(Socket plain) : s_(std::in_place_type<Socket>, std::move(plain)) {}
  explicit Stream(TlsSocket tls) : s_(std::in_place_type<TlsSocket>, std::move(tls)) {}

  executor_type get_executor() { return socket().get_executor(); }
  bool tls() const { return std::holds_alternative<TlsSocket>(s_); }

  // The TCP socket under it all: options, cancel(), shutdown() and close() act on it.
  Socket& socket() {
    if (auto* t = std::get_if<TlsSocket>(&s_)) return t->next_layer();
    return std::get<Socket>(s_);
  }

  // The server's side of the TLS handshake; completes at once, without error, on plain TCP.
  template <typename Token>
  auto async_handshake(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          if (auto* t = std::get_if<TlsSocket>(&s_)) {
            t->async_handshake(boost::asio::ssl::stream_base::server, std::move(handler));
          } else {
            boost::asio::post(get_executor(), [h = std::move(handler)]() mutable {
              std::move(h)(boost::system::error_code());
            });
          }
        },
        token);
  }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (auto* t = std::get_if<TlsSocket>(&s_)) {
            t->async_read_some(b, std::move(handler));
          } else {
            std::get<Socket>(s_).async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (auto* t = std::get_if<TlsSocket>(&s_)) {
            t->async_write_some(b, std::move(handler));
          } else {
            std::get<Socket>(s_).async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  // How Beast closes a stream it gives up on (a timeout, a failed close handshake).
  friend void beast_close_socket(Stream& stream) {
    boost::system::error_code ignored;
    stream.socket().close(ignored);
  }

  // The end of a WebSocket connection (Beast finds these by argument-dependent lookup), as
  // Beast ends each kind of stream: TLS sends its close_notify, TCP shuts down and closes.
  friend void teardown(boost::beast::role_type role, Stream& stream,
                       boost::system::error_code& ec) {
    if (auto* t = std::get_if<TlsSocket>(&stream.s_)) {
      boost::beast::teardown(role, *t, ec);
    } else {
      boost::beast::websocket::teardown(role, std::get<Socket>(stream.s_), ec);
    }
  }
  template <typename Handler>
  friend void async_teardown(boost::beast::role_type role, Stream& stream, Handler&& handler) {
    if (auto* t = std::get_if<TlsSocket>(&stream.s_)) {
      boost::beast::async_teardown(role, *t, std::forward<Handler>(handler));
    } else {
      boost::beast::websocket::async_teardown(role, std::get<Socket>(stream.s_),
                                              std::forward<Handler>(handler));
    }
  }

 private:
  std::variant<Socket, TlsSocket> s_;
};

}  // namespace gaia::http::detail
