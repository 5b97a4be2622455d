#include "http/webhook_client.h"

#include <sodium.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

namespace gaia::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using core::Result;
using core::Status;
using tcp = asio::ip::tcp;

constexpr size_t kMaxAnswerBytes = 16 * 1024;

}  // namespace

std::string webhook_signature(std::string_view secret, std::string_view body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return "sha256=" + std::string(hex);
}

Result<std::unique_ptr<WebhookClient>> WebhookClient::make(WebhookOptions options) {
  if (sodium_init() < 0) return Status::internal("libsodium failed to initialise");
  constexpr std::string_view kScheme = "http://";
  std::string_view url = options.url;
  if (!url.starts_with(kScheme)) {
    return Status::invalid_argument("url: must start with http:// (https is not supported)");
  }
  url.remove_prefix(kScheme.size());
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  Target t;
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
  if (options.timeout <= std::chrono::milliseconds(0)) {
    return Status::invalid_argument("timeout: must be positive");
  }
  if (options.first_backoff <= std::chrono::milliseconds(0) ||
      options.max_backoff < options.first_backoff) {
    return Status::invalid_argument("backoff: must be positive, the first at most the largest");
  }
  if (options.max_attempts < 1) return Status::invalid_argument("max_attempts: must be >= 1");
  if (options.max_queued == 0) return Status::invalid_argument("max_queued: must be >= 1");
  t.host = std::string(host);
  t.port = std::string(port);
  return std::unique_ptr<WebhookClient>(new WebhookClient(std::move(options), std::move(t)));
}

WebhookClient::WebhookClient(WebhookOptions options, Target target)
    : options_(std::move(options)), target_(std::move(target)) {
  sender_ = std::thread([this] { run(); });
}

WebhookClient::~WebhookClient() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  sender_.join();
}

bool WebhookClient::enqueue(std::string body) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.max_queued) {
      ++counts_.dropped;
      return false;
    }
    queue_.push_back(std::move(body));
  }
  wake_.notify_one();
  return true;
}

WebhookHealth WebhookClient::health() const {
  std::lock_guard lock(mu_);
  WebhookHealth h = counts_;
  h.queued = queue_.size();
  return h;
}

void WebhookClient::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const std::string body = queue_.front();  // stays queued (and counted) while sent
    std::chrono::milliseconds backoff = options_.first_backoff;
    for (int attempt = 1;; ++attempt) {
      lock.unlock();
      Status sent = post(body);
      lock.lock();
      if (sent.ok()) {
        ++counts_.delivered;
        break;
      }
      counts_.last_error = sent.message();
      if (attempt >= options_.max_attempts) {
        ++counts_.failed;
        break;
      }
      if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) return;
      ++counts_.retries;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    queue_.pop_front();
  }
}

Status WebhookClient::post(const std::string& body) const {
  // One io_context per attempt: the exchange runs on the sender thread, bounded by the
  // stream's deadline (connect, write and read) and by run_for() for the name lookup.
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  beast::http::request<beast::http::string_body> req{beast::http::verb::post, target_.path, 11};
  req.set(beast::http::field::host, target_.host + ":" + target_.port);
  req.set(beast::http::field::content_type, "application/json");
  req.set(beast::http::field::user_agent, "gaia-alerts");
  if (!options_.secret.empty())
    req.set("X-Gaia-Signature", webhook_signature(options_.secret, body));
  req.body() = body;
  req.prepare_payload();
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);

  beast::error_code failure = asio::error::timed_out;
  std::string stage = "timed out";
  bool done = false;
  auto fail = [&](const char* what, beast::error_code ec) {
    failure = ec;
    stage = what;
    done = true;
  };
  stream.expires_after(options_.timeout);
  resolver.async_resolve(
      target_.host, target_.port, [&](beast::error_code ec, tcp::resolver::results_type found) {
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
  ioc.run_for(options_.timeout + std::chrono::milliseconds(50));
  const std::string timed_out =
      "webhook timed out after " + std::to_string(options_.timeout.count()) + " ms";
  if (!done || failure == beast::error::timeout) return Status::unavailable(timed_out);
  if (failure) return Status::unavailable("webhook " + stage + ": " + failure.message());
  const unsigned status = parser.get().result_int();
  if (status < 200 || status > 299) {
    return Status::unavailable("webhook answered HTTP " + std::to_string(status));
  }
  return {};
}

}  // namespace gaia::http
