#include "support/ws_client.h"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/json/parse.hpp>
#include <chrono>

namespace gaia::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;

bool WsClient::connect(uint16_t port, std::vector<std::pair<std::string, std::string>> headers,
                       std::string target) {
  asio::ip::tcp::resolver resolver(ioc_);
  beast::error_code ec;
  asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)), ec);
  if (ec) return false;
  ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++pings;
  });
  bool done = false;
  ws_.async_handshake(response, "127.0.0.1:" + std::to_string(port), target,
                      [&](beast::error_code e) {
                        error = e;
                        done = true;
                      });
  return run(done) && !error;
}

std::optional<boost::json::value> WsClient::read() {
  bool done = false;
  buffer_.clear();
  ws_.async_read(buffer_, [&](beast::error_code e, std::size_t) {
    error = e;
    done = true;
  });
  if (!run(done) || error) return std::nullopt;
  return boost::json::parse(beast::buffers_to_string(buffer_.data()));
}

std::optional<uint16_t> WsClient::read_close_code() {
  while (read()) {
  }
  if (error != websocket::error::closed) return std::nullopt;
  return static_cast<uint16_t>(reason().code);
}

bool WsClient::wait_for_pings(int n) {
  bool done = false;
  buffer_.clear();
  ws_.async_read(buffer_, [&](beast::error_code e, std::size_t) {
    error = e;
    done = true;
  });
  ioc_.restart();
  for (int i = 0; i < 500 && pings < n && !done; ++i) ioc_.run_for(10ms);
  bool ok = pings >= n;
  abandon(done);
  return ok;
}

bool WsClient::write(const std::string& text) {
  bool done = false;
  ws_.async_write(asio::buffer(text), [&](beast::error_code e, std::size_t) {
    error = e;
    done = true;
  });
  return run(done) && !error;
}

bool WsClient::run(bool& done) {
  ioc_.restart();
  for (int i = 0; i < 500 && !done; ++i) ioc_.run_for(10ms);
  if (done) return true;
  abandon(done);
  return false;
}

void WsClient::abandon(bool& done) {
  if (done) return;
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
  ioc_.restart();
  while (!done) ioc_.run_one();
}

}  // namespace gaia::testing
