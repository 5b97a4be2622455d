#include "api/webhook_client.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>

#include "http/url.h"

namespace gaia::api {
namespace {

using core::Result;
using core::Status;

constexpr size_t kMaxAnswerBytes = 16 * 1024;

}  // namespace

std::string webhook_signature(std::string_view secret, int64_t unix_seconds,
                              std::string_view body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  const std::string prefix = std::to_string(unix_seconds) + ".";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return "sha256=" + std::string(hex);
}

Result<std::unique_ptr<WebhookClient>> WebhookClient::make(WebhookOptions options,
                                                           const core::Clock& clock) {
  if (sodium_init() < 0) return Status::internal("libsodium failed to initialise");
  std::string url_text;
  if (!options.url.empty()) {
    Result<http::Url> url = http::parse_url(options.url);
    if (!url.ok()) return Status::invalid_argument("url: " + url.status().message());
    url_text = std::move(url->text);
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
  return std::unique_ptr<WebhookClient>(
      new WebhookClient(std::move(options), std::move(url_text), clock));
}

WebhookClient::WebhookClient(WebhookOptions options, std::string url, const core::Clock& clock)
    : options_(std::move(options)),
      url_(std::move(url)),
      clock_(clock),
      http_({.peer = "webhook",
             .user_agent = options_.user_agent,
             .timeout = options_.timeout,
             .max_answer_bytes = kMaxAnswerBytes,
             .redirects = http::Redirects::kRefuse,
             .ca_file = options_.ca_file}) {
  sender_ = std::thread([this] { run(); });
}

WebhookClient::~WebhookClient() {
  {
    core::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  sender_.join();
}

bool WebhookClient::enqueue(std::string body) {
  assert(!url_.empty());
  return push({url_, std::move(body)});
}

bool WebhookClient::enqueue_to(std::string_view url, std::string body) {
  Result<http::Url> parsed = http::parse_url(url);
  if (!parsed.ok()) {
    core::MutexLock lock(mu_);
    ++counts_.failed;
    counts_.last_error = parsed.status().message();
    return false;
  }
  return push({std::move(parsed->text), std::move(body)});
}

bool WebhookClient::push(Delivery delivery) {
  {
    core::MutexLock lock(mu_);
    if (queue_.size() >= options_.max_queued) {
      ++counts_.dropped;
      return false;
    }
    queue_.push_back(std::move(delivery));
  }
  wake_.notify_one();
  return true;
}

WebhookHealth WebhookClient::health() const {
  core::MutexLock lock(mu_);
  WebhookHealth h = counts_;
  h.queued = queue_.size();
  return h;
}

void WebhookClient::run() {
  core::MutexLock lock(mu_);
  for (;;) {
    wake_.wait(mu_, [this]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const Delivery delivery = queue_.front();  // stays queued (and counted) while sent
    std::chrono::milliseconds backoff = options_.first_backoff;
    for (int attempt = 1;; ++attempt) {
      lock.unlock();
      Status sent = post(delivery);
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
      if (wake_.wait_for(mu_, backoff, [this]() REQUIRES(mu_) { return stopping_; })) return;
      ++counts_.retries;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    queue_.pop_front();
  }
}

Status WebhookClient::post(const Delivery& delivery) const {
  const std::string& body = delivery.body;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!options_.secret.empty()) {
    const int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch())
            .count();
    headers.emplace_back("X-Gaia-Timestamp", std::to_string(now_s));
    headers.emplace_back("X-Gaia-Signature", webhook_signature(options_.secret, now_s, body));
  }
  Result<std::string> answer = http_.post_json(delivery.url, body, std::move(headers));
  if (!answer.ok()) return answer.status();
  return {};
}

}  // namespace gaia::api
