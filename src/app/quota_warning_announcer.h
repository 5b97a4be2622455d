#pragma once
// QuotaWarningAnnouncer: publishes each quota warning on the live feed as a "quota_warning"
// message {user, type, limit, threshold_pct, used, amount, used_pct, reset_ms, at_ms}. The
// check gives a warning once per threshold and period per (principal, limit), so the feed
// carries no more than that.
//
// Threads: any.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "exec/quota_check.h"
#include "http/live_feed.h"

namespace gaia::app {

class QuotaWarningAnnouncer final : public exec::QuotaWarningListener {
 public:
  using UserName = std::function<std::optional<std::string>(uint64_t id)>;

  // `feed` must outlive the announcer.
  QuotaWarningAnnouncer(http::LiveFeed& feed, UserName user_name)
      : feed_(feed), user_name_(std::move(user_name)) {}

  void on_quota_warning(uint64_t user_id, std::string_view type, std::string_view limit,
                        const exec::QuotaWarning& warning, int64_t at_ms) override;

 private:
  http::LiveFeed& feed_;
  const UserName user_name_;
};

}  // namespace gaia::app
