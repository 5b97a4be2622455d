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
  if (options.max_queued_per_url == 0) {
    return Status::invalid_argument("max_queued_per_url: must be >= 1");
  }
  if (options.senders < 1) return Status::invalid_argument("senders: must be >= 1");
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
  for (int i = 0; i < options_.senders; ++i) senders_.emplace_back([this] { run(); });
}

WebhookClient::~WebhookClient() {
  {
    core::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& sender : senders_) sender.join();
}

bool WebhookClient::enqueue(std::string body) {
  assert(!url_.empty());
  return push(url_, std::move(body));
}

bool WebhookClient::enqueue_to(std::string_view url, std::string body) {
  Result<http::Url> parsed = http::parse_url(url);
  if (!parsed.ok()) {
    core::MutexLock lock(mu_);
    ++counts_.failed;
    counts_.last_error = parsed.status().message();
    return false;
  }
  return push(std::move(parsed->text), std::move(body));
}

bool WebhookClient::push(std::string url, std::string body) {
  {
    core::MutexLock lock(mu_);
    auto at = destinations_.find(url);
    const size_t of_url = at == destinations_.end() ? 0 : at->second.bodies.size();
    if (queued_ >= options_.max_queued || of_url >= options_.max_queued_per_url) {
      ++counts_.dropped;
      return false;
    }
    if (at == destinations_.end()) {
      turn_.push_back(url);
      at = destinations_.emplace(std::move(url), Destination{}).first;
    }
    at->second.bodies.push_back(std::move(body));
    ++queued_;
  }
  wake_.notify_one();
  return true;
}

WebhookHealth WebhookClient::health() const {
  core::MutexLock lock(mu_);
  WebhookHealth h = counts_;
  h.queued = queued_;
  return h;
}

const std::string* WebhookClient::ready(core::MonoTime now, core::MonoTime& next) const {
  for (const std::string& url : turn_) {
    const Destination& d = destinations_.find(url)->second;
    if (d.sending) continue;
    if (d.not_before <= now) return &url;
    next = std::min(next, d.not_before);
  }
  return nullptr;
}

void WebhookClient::run() {
  core::MutexLock lock(mu_);
  for (;;) {
    // Waits for a URL whose first payload is free to send and due: woken by a new payload,
    // an attempt settled, or the end of the earliest backoff.
    std::string url;
    for (;;) {
      if (stopping_) return;
      const core::MonoTime now = clock_.mono_now();
      core::MonoTime next = core::MonoTime::max();
      if (const std::string* due = ready(now, next)) {
        url = *due;
        break;
      }
      if (next == core::MonoTime::max()) {
        wake_.wait(mu_);
      } else {
        wake_.wait_for(mu_, next - now);
      }
    }
    // Its turn taken, the URL goes to the back: the others are served before it again.
    turn_.erase(std::find(turn_.begin(), turn_.end(), url));
    turn_.push_back(url);
    Destination& d = destinations_.find(url)->second;
    d.sending = true;
    if (d.attempts > 0) ++counts_.retries;
    const std::string body = d.bodies.front();  // stays queued (and counted) while sent
    lock.unlock();
    const Status sent = post(url, body);
    lock.lock();
    settle(url, sent);
    wake_.notify_all();  // the URL is free again, or gone, for whichever sender is waiting
  }
}

void WebhookClient::settle(const std::string& url, const Status& sent) {
  Destination& d = destinations_.find(url)->second;
  d.sending = false;
  ++d.attempts;
  if (!sent.ok()) {
    counts_.last_error = sent.message();
    if (d.attempts < options_.max_attempts) {
      d.backoff =
          d.attempts == 1 ? options_.first_backoff : std::min(d.backoff * 2, options_.max_backoff);
      d.not_before = clock_.mono_now() + d.backoff;
      return;
    }
    ++counts_.failed;
  } else {
    ++counts_.delivered;
  }
  d.bodies.pop_front();
  --queued_;
  if (d.bodies.empty()) {
    destinations_.erase(url);
    turn_.erase(std::find(turn_.begin(), turn_.end(), url));
    return;
  }
  d.attempts = 0;
  d.not_before = {};
}

Status WebhookClient::post(const std::string& url, const std::string& body) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!options_.secret.empty()) {
    const int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch())
            .count();
    headers.emplace_back("X-Gaia-Timestamp", std::to_string(now_s));
    headers.emplace_back("X-Gaia-Signature", webhook_signature(options_.secret, now_s, body));
  }
  Result<std::string> answer = http_.post_json(url, body, std::move(headers));
  if (!answer.ok()) return answer.status();
  return {};
}

}  // namespace gaia::api
