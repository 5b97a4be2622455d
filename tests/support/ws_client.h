#pragma once
// WsClient: a WebSocket client for tests, on its own io_context, driven only while a call
// waits, each wait bounded, so that a broken server fails a test instead of hanging it.
// One thread at a time.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gaia::testing {

class WsClient {
 public:
  // The handshake with 127.0.0.1:`port`; false if it failed (then `response` holds the
  // server's refusal).
  bool connect(uint16_t port, std::vector<std::pair<std::string, std::string>> headers = {},
               std::string target = "/ws/admin/quotas");
  // The next message as JSON, or nullopt on close, error or timeout (see `error`).
  std::optional<boost::json::value> read();
  // Reads (answering pings, as a reading client does) until `pings` reaches `n`.
  bool wait_for_pings(int n);
  bool write(const std::string& text);
  // Reads until the server closes; the close frame's code (1008: policy violation), or
  // nullopt if no close frame came in time.
  std::optional<uint16_t> read_close_code();

  boost::beast::websocket::response_type response;
  boost::beast::error_code error;
  int pings = 0;
  boost::beast::websocket::close_reason reason() const { return ws_.reason(); }

 private:
  bool run(bool& done);
  // Gives up on a pending operation: closing the socket makes it complete.
  void abandon(bool& done);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_{ioc_};
  boost::beast::flat_buffer buffer_;
};

}  // namespace gaia::testing
