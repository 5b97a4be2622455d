#pragma once
// QuotaWarningAnnouncer: tells of each quota warning the check gives
//   - admins, on the live feed, as a "quota_warning" message {user, type, limit, period,
//     threshold_pct, used, amount, used_pct, reset_ms, at_ms};
//   - the user, when an admin set them a webhook URL (store::User::webhook_url), by a signed
//     POST of {"event":"quota_warning","warning":{...the same...}} through `user_webhooks`,
//     whose bounded queue and sender thread keep the check from ever waiting on it.
// The check gives a warning once per threshold and period per (principal, limit), so neither
// carries more than that.
//
// Threads: any.

#include <cstdint>
#include <string>

#include "api/webhook_client.h"
#include "exec/quota_check.h"
#include "http/live_feed.h"
#include "identity/directory.h"

namespace gaia::app {

class QuotaWarningAnnouncer final : public exec::QuotaWarningListener {
 public:
  // `feed`, `directory` and `user_webhooks` (a client without a URL of its own) must outlive
  // the announcer.
  QuotaWarningAnnouncer(http::LiveFeed& feed, const identity::Directory& directory,
                        api::WebhookClient& user_webhooks)
      : feed_(feed), directory_(directory), user_webhooks_(user_webhooks) {}

  void on_quota_warning(uint64_t user_id, std::string_view type, std::string_view limit,
                        const exec::QuotaWarning& warning, int64_t at_ms) override;

 private:
  http::LiveFeed& feed_;
  const identity::Directory& directory_;
  api::WebhookClient& user_webhooks_;
};

}  // namespace gaia::app
