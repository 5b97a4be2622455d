#pragma once
// WebhookClient: delivers JSON payloads by POST to one configured URL (alert notifications) or
// to a URL given with each payload (a user's own webhook), http:// or https://, from bounded
// queues on sender threads of its own, so that a webhook that is slow, down or refusing never
// blocks whoever enqueues.
//
// Each URL has a queue of its own, sent in order, one payload at a time. The senders take the
// URLs in turn, so a receiver that is slow, down or waiting out a backoff holds up only its
// own payloads: while one sender waits on it, the others serve every other URL (a receiver
// that never answers holds one sender for the timeout of each attempt).
//
// Each payload is sent with
//   Content-Type: application/json
//   X-Gaia-Timestamp: <unix seconds of this attempt>
//   X-Gaia-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>", keyed with the secret>
// (the two X- headers only when a secret is configured). The timestamp is signed with the
// body so that a receiver can refuse a replayed delivery (docs/alerts.md); each attempt is
// signed anew with its own time. A 2xx answer delivers it; anything else
// (another status, a redirect included: none is followed, refused connection, timeout) is
// retried after a backoff that doubles from
// first_backoff up to max_backoff, at most max_attempts attempts in all, then counted as
// failed with its reason in last_error. A payload arriving while the queues hold max_queued,
// or its URL's holds max_queued_per_url, is dropped (counted; no queue ever grows without
// bound, and one URL cannot fill the room of the others).
//
// Threads: enqueue() and health() from any thread; the destructor stops the senders (an
// attempt under way ends by its timeout) and drops what is still queued.

#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "http/client.h"

namespace gaia::api {

struct WebhookOptions {
  // http[s]://host[:port][/path] (GAIA_ALERT_WEBHOOK_URL) for enqueue(); empty: a client
  // that only sends with enqueue_to().
  std::string url = "";
  std::string secret = "";  // signs each body; empty: unsigned (GAIA_ALERT_WEBHOOK_SECRET)
  std::string user_agent = "gaia-alerts";
  std::chrono::milliseconds timeout{5000};  // one attempt: connect, send, answer
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{60'000};
  size_t max_queued = 1000;          // across every URL
  size_t max_queued_per_url = 1000;  // of one URL
  int senders = 1;                   // payloads to different URLs sent at the same time
  std::string ca_file = "";  // CA certificates https:// receivers are checked against; "": system's
};

struct WebhookHealth {
  size_t queued = 0;       // waiting, including those being sent
  uint64_t delivered = 0;  // answered 2xx
  uint64_t failed = 0;     // given up after max_attempts
  uint64_t retries = 0;    // attempts after a first failure
  uint64_t dropped = 0;    // refused because the queue was full
  std::string last_error;  // why the last failed attempt failed, or empty
};

class WebhookClient {
 public:
  // kInvalidArgument ("url: ...") unless the URL is empty or http[s]://host[:port][/path], the
  // timeout and backoffs positive, max_attempts, the bounds and senders at least 1. Starts the
  // senders.
  // `clock` (the signatures' timestamps, and the backoffs on its monotonic time) must outlive
  // the client.
  static core::Result<std::unique_ptr<WebhookClient>> make(WebhookOptions options,
                                                           const core::Clock& clock);
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  // Queues `body` for delivery to options().url; false (and counted as dropped) when the queue
  // is full. Never blocks on the network. REQUIRES: options().url is not empty.
  bool enqueue(std::string body);
  // The same to `url`; a URL parse_url refuses is counted as failed, with its reason.
  bool enqueue_to(std::string_view url, std::string body);

  WebhookHealth health() const;
  const WebhookOptions& options() const { return options_; }

 private:
  // The payloads waiting for one URL, the first of them being sent or retried.
  struct Destination {
    std::deque<std::string> bodies;
    int attempts = 0;  // made for the first payload
    std::chrono::milliseconds backoff{0};
    core::MonoTime not_before{};  // the first payload's next attempt waits until then
    bool sending = false;         // a sender has the first payload
  };

  WebhookClient(WebhookOptions options, std::string url, const core::Clock& clock);
  bool push(std::string url, std::string body);
  void run();
  // The URL whose first payload may be sent at `now`, earliest in the turn, or nullptr;
  // `next` is lowered to when the earliest backoff of the others ends.
  const std::string* ready(core::MonoTime now, core::MonoTime& next) const REQUIRES(mu_);
  // What became of one attempt at the first payload of `url`.
  void settle(const std::string& url, const core::Status& sent) REQUIRES(mu_);
  // One attempt: OK on a 2xx answer.
  core::Status post(const std::string& url, const std::string& body) const;

  const WebhookOptions options_;
  const std::string url_;  // options_.url, parsed and normalised; empty when none
  const core::Clock& clock_;
  const http::Client http_;
  mutable core::Mutex mu_;
  core::CondVar wake_;
  boost::unordered_flat_map<std::string, Destination> destinations_ GUARDED_BY(mu_);
  std::deque<std::string> turn_ GUARDED_BY(mu_);  // the URLs with payloads, next first
  size_t queued_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  WebhookHealth counts_ GUARDED_BY(mu_);
  std::vector<std::thread> senders_;
};

// "sha256=" followed by the lowercase hex HMAC-SHA256 of "<unix_seconds>.<body>" keyed with
// `secret`.
std::string webhook_signature(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace gaia::api
