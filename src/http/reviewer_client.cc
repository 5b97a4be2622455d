#include "http/reviewer_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <charconv>

namespace gaia::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using core::Result;
using core::Status;
using tcp = asio::ip::tcp;

constexpr size_t kMaxAnswerBytes = 64 * 1024;
constexpr size_t kMaxReasonBytes = 1000;

}  // namespace

struct ReviewerClient::Pool {
  explicit Pool(size_t threads) : pool(threads) {}
  asio::thread_pool pool;
};

std::string reviewer_request_body(const ReviewerQuestion& q) {
  boost::json::array parts;
  for (const std::string& p : q.parts) parts.emplace_back(p);
  return boost::json::serialize(boost::json::object{{"command", q.command},
                                                    {"cwd", q.cwd},
                                                    {"type", q.type},
                                                    {"session_id", q.session_id},
                                                    {"tool", q.tool},
                                                    {"user", q.user},
                                                    {"parts", std::move(parts)}});
}

Result<ReviewerAnswer> parse_reviewer_answer(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return Status::invalid_argument("answer: not a JSON object");
  const boost::json::object& o = v.get_object();
  const boost::json::value* decision = o.if_contains("decision");
  if (decision == nullptr || !decision->is_string()) {
    return Status::invalid_argument("answer: decision must be approve, deny or ask");
  }
  auto verdict = confirm::parse_verdict(decision->get_string());
  if (!verdict) return Status::invalid_argument("answer: decision must be approve, deny or ask");
  ReviewerAnswer a{*verdict, ""};
  if (const boost::json::value* reason = o.if_contains("reason"); reason && !reason->is_null()) {
    if (!reason->is_string()) return Status::invalid_argument("answer: reason must be a string");
    a.reason.assign(reason->get_string().data(),
                    std::min(reason->get_string().size(), kMaxReasonBytes));
  }
  return a;
}

Result<std::unique_ptr<ReviewerClient>> ReviewerClient::make(ReviewerOptions options) {
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
  if (options.max_inflight == 0) return Status::invalid_argument("max_inflight: must be >= 1");
  t.host = std::string(host);
  t.port = std::string(port);
  return std::unique_ptr<ReviewerClient>(new ReviewerClient(std::move(options), std::move(t)));
}

ReviewerClient::ReviewerClient(ReviewerOptions options, Target target)
    : options_(std::move(options)),
      target_(std::move(target)),
      pool_(std::make_unique<Pool>(options_.max_inflight)) {}

ReviewerClient::~ReviewerClient() { pool_->pool.join(); }

bool ReviewerClient::acquire() {
  // relaxed: the count is a bound, not a guard of other memory.
  if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_inflight) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void ReviewerClient::release() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

Result<ReviewerAnswer> ReviewerClient::ask(const ReviewerQuestion& question) {
  if (!acquire()) return Status::unavailable("reviewer busy: too many reviews in flight");
  Result<ReviewerAnswer> answer = call(question);
  release();
  return answer;
}

void ReviewerClient::ask_async(ReviewerQuestion question,
                               std::function<void(Result<ReviewerAnswer>)> done) {
  if (!acquire()) {
    done(Status::unavailable("reviewer busy: too many reviews in flight"));
    return;
  }
  asio::post(pool_->pool, [this, question = std::move(question), done = std::move(done)] {
    Result<ReviewerAnswer> answer = call(question);
    release();
    done(std::move(answer));
  });
}

Result<ReviewerAnswer> ReviewerClient::call(const ReviewerQuestion& question) const {
  // One io_context per call: the exchange runs on this thread, bounded by the deadline of the
  // stream (connect, write and read) and by run_for() for the name lookup.
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  beast::http::request<beast::http::string_body> req{beast::http::verb::post, target_.path, 11};
  req.set(beast::http::field::host, target_.host + ":" + target_.port);
  req.set(beast::http::field::content_type, "application/json");
  req.set(beast::http::field::user_agent, "gaia-confirm");
  req.body() = reviewer_request_body(question);
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
  if (!done) {
    return Status::unavailable("reviewer timed out after " +
                               std::to_string(options_.timeout.count()) + " ms");
  }
  if (failure) {
    if (failure == beast::error::timeout) {
      return Status::unavailable("reviewer timed out after " +
                                 std::to_string(options_.timeout.count()) + " ms");
    }
    return Status::unavailable("reviewer " + stage + ": " + failure.message());
  }
  const auto& res = parser.get();
  if (res.result_int() < 200 || res.result_int() > 299) {
    return Status::unavailable("reviewer answered HTTP " + std::to_string(res.result_int()));
  }
  return parse_reviewer_answer(res.body());
}

}  // namespace gaia::http
