#pragma once
// WebhookReceiver: a loopback HTTP server standing for a webhook's receiver (the alert
// webhook's, a user's own): it records each POST to `path` (body, X-Gaia-Timestamp,
// X-Gaia-Signature) and answers 200. signed_with() is the receiver's own check of a
// delivery's signature, as docs/alerts.md tells it.
//
// Threads: got() from any thread while requests arrive.

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "support/loopback_server.h"

namespace gaia::testing {

class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::string path = "/alerts");
  std::string url() const { return server_->url(path_); }
  // Each delivery so far: {body, "<X-Gaia-Timestamp> <X-Gaia-Signature>"}.
  std::vector<std::pair<std::string, std::string>> got();

 private:
  const std::string path_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> got_;  // guarded by mu_
  std::unique_ptr<LoopbackServer> server_;                // last: stops before the state above goes
};

// Given "<X-Gaia-Timestamp> <X-Gaia-Signature>": the timestamp within five minutes of now, the
// signature "sha256=" + hex HMAC-SHA256(secret, "<timestamp>.<body>").
bool signed_with(const std::string& secret, const std::string& body, const std::string& sig);

}  // namespace gaia::testing
