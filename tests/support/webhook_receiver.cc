#include "support/webhook_receiver.h"

#include <sodium.h>

#include <chrono>
#include <cstdlib>

#include "http/server.h"

namespace gaia::testing {

WebhookReceiver::WebhookReceiver(std::string path) : path_(std::move(path)) {
  http::Router router;
  router.add("POST", path_, [this](const http::Request& req) {
    std::lock_guard lock(mu_);
    got_.emplace_back(req.body, std::string(req.header("X-Gaia-Timestamp")) + " " +
                                    std::string(req.header("X-Gaia-Signature")));
    return http::json_response(200, {{"ok", true}});
  });
  server_ = std::make_unique<LoopbackServer>(std::move(router));
}

std::vector<std::pair<std::string, std::string>> WebhookReceiver::got() {
  std::lock_guard lock(mu_);
  return got_;
}

bool signed_with(const std::string& secret, const std::string& body, const std::string& sig) {
  const size_t space = sig.find(' ');
  if (space == 0 || space == std::string::npos) return false;
  const std::string timestamp = sig.substr(0, space);
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  if (std::abs(now_s - std::stoll(timestamp)) > 300) return false;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  const std::string signed_text = timestamp + "." + body;
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                signed_text.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return sig.substr(space + 1) == "sha256=" + std::string(hex);
}

}  // namespace gaia::testing
