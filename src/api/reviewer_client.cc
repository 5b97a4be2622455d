#include "api/reviewer_client.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include "core/text_check.h"
#include "http/url.h"

namespace gaia::api {
namespace {

namespace asio = boost::asio;
using core::Result;
using core::Status;

constexpr size_t kMaxAnswerBytes = 64 * 1024;
constexpr size_t kMaxReasonBytes = 1000;

}  // namespace

struct ReviewerClient::Pool {
  explicit Pool(size_t threads) : pool(threads) {}
  asio::thread_pool pool;
};

std::string reviewer_request_body(const confirm::ReviewerQuestion& q) {
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

Result<confirm::ReviewerAnswer> parse_reviewer_answer(std::string_view body) {
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
  confirm::ReviewerAnswer a{*verdict, ""};
  if (const boost::json::value* reason = o.if_contains("reason"); reason && !reason->is_null()) {
    if (!reason->is_string()) return Status::invalid_argument("answer: reason must be a string");
    const std::string_view text = reason->get_string();
    if (const char* problem = core::text_problem(text)) {
      return Status::invalid_argument(std::string("answer: reason ") + problem);
    }
    // Cut between characters, never inside one: the decision log keeps only text.
    size_t cut = std::min(text.size(), kMaxReasonBytes);
    while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    a.reason.assign(text.substr(0, cut));
  }
  return a;
}

Result<std::unique_ptr<ReviewerClient>> ReviewerClient::make(ReviewerOptions options) {
  Result<http::Url> url = http::parse_url(options.url);
  if (!url.ok()) return Status::invalid_argument("url: " + url.status().message());
  if (options.timeout <= std::chrono::milliseconds(0)) {
    return Status::invalid_argument("timeout: must be positive");
  }
  if (options.max_inflight == 0) return Status::invalid_argument("max_inflight: must be >= 1");
  return std::unique_ptr<ReviewerClient>(
      new ReviewerClient(std::move(options), std::move(url->text)));
}

ReviewerClient::ReviewerClient(ReviewerOptions options, std::string url)
    : options_(std::move(options)),
      url_(std::move(url)),
      http_({.peer = "reviewer",
             .user_agent = "gaia-confirm",
             .timeout = options_.timeout,
             .max_answer_bytes = kMaxAnswerBytes,
             .redirects = http::Redirects::kRefuse,
             .ca_file = options_.ca_file}),
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

Result<confirm::ReviewerAnswer> ReviewerClient::ask(const confirm::ReviewerQuestion& question) {
  if (!acquire()) return Status::unavailable("reviewer busy: too many reviews in flight");
  Result<confirm::ReviewerAnswer> answer = call(question);
  release();
  return answer;
}

void ReviewerClient::ask_async(confirm::ReviewerQuestion question,
                               std::function<void(Result<confirm::ReviewerAnswer>)> done) {
  if (!acquire()) {
    done(Status::unavailable("reviewer busy: too many reviews in flight"));
    return;
  }
  asio::post(pool_->pool, [this, question = std::move(question), done = std::move(done)] {
    Result<confirm::ReviewerAnswer> answer = call(question);
    release();
    done(std::move(answer));
  });
}

Result<confirm::ReviewerAnswer> ReviewerClient::call(
    const confirm::ReviewerQuestion& question) const {
  Result<std::string> answer = http_.post_json(url_, reviewer_request_body(question));
  if (!answer.ok()) return answer.status();
  return parse_reviewer_answer(answer.value());
}

}  // namespace gaia::api
