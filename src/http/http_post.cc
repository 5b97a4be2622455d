#include "http/http_post.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cassert>
#include <charconv>

namespace gaia::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using core::Result;
using core::Status;
using tcp = asio::ip::tcp;

}  // namespace

Result<HttpTarget> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status::invalid_argument("url: must start with http:// (https is not supported)");
  }
  url.remove_prefix(kScheme.size());
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  HttpTarget t;
  t.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  std::string_view host = authority, port = "80";
  if (authority.starts_with('[')) {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::invalid_argument("url: unclosed [");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Status::invalid_argument("url: bad port");
      port = rest.substr(1);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  unsigned port_number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (ec != std::errc() || end != port.data() + port.size() || port_number == 0 ||
      port_number > 65535) {
    return Status::invalid_argument("url: port must be 1 to 65535");
  }
  if (host.empty()) return Status::invalid_argument("url: missing host");
  if (authority.find('@') != std::string_view::npos) {
    return Status::invalid_argument("url: credentials in the URL are not supported");
  }
  t.host = std::string(host);
  t.port = std::string(port);
  return t;
}

Result<std::string> http_post(const HttpTarget& target, std::string body,
                              const HttpPostOptions& options) {
  assert(options.timeout > std::chrono::milliseconds(0));
  // One io_context per call: the exchange runs on this thread, bounded by the deadline of the
  // stream (connect, write and read) and by run_for() for the name lookup.
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  beast::http::request<beast::http::string_body> req{beast::http::verb::post, target.path, 11};
  req.set(beast::http::field::host, target.host + ":" + target.port);
  req.set(beast::http::field::content_type, "application/json");
  req.set(beast::http::field::user_agent, options.user_agent);
  for (const auto& [name, value] : options.headers) req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(options.max_answer_bytes);

  beast::error_code failure = asio::error::timed_out;
  std::string stage = "timed out";
  bool done = false;
  auto fail = [&](const char* what, beast::error_code ec) {
    failure = ec;
    stage = what;
    done = true;
  };
  stream.expires_after(options.timeout);
  resolver.async_resolve(
      target.host, target.port, [&](beast::error_code ec, tcp::resolver::results_type found) {
        if (ec) return fail("resolve", ec);
        stream.async_connect(found, [&](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return fail("connect", ec);
          beast::http::async_write(stream, req, [&](beast::error_code ec, size_t) {
            if (ec) return fail("send", ec);
            beast::http::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
              if (ec) return fail("read", ec);
              failure = {};
              done = true;
            });
          });
        });
      });
  ioc.run_for(options.timeout + std::chrono::milliseconds(50));
  const std::string peer(options.peer);
  if (!done || failure == beast::error::timeout) {
    return Status::unavailable(peer + " timed out after " +
                               std::to_string(options.timeout.count()) + " ms");
  }
  if (failure) return Status::unavailable(peer + " " + stage + ": " + failure.message());
  const unsigned status = parser.get().result_int();
  if (status < 200 || status > 299) {
    return Status::unavailable(peer + " answered HTTP " + std::to_string(status));
  }
  return parser.release().body();
}

}  // namespace gaia::http
