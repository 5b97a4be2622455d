#include "app/quota_warning_announcer.h"

#include <boost/json.hpp>

#include "http/json_text.h"

namespace gaia::app {

void QuotaWarningAnnouncer::on_quota_warning(uint64_t user_id, std::string_view type,
                                             std::string_view limit,
                                             const exec::QuotaWarning& warning, int64_t at_ms) {
  const std::optional<store::User> user = directory_.user_by_id(user_id);
  const core::LimitState& s = warning.state;
  boost::json::object data{{"user", user ? user->name : std::string()},
                           {"type", type},
                           {"limit", limit},
                           {"period", core::period_name(s.limit.period)},
                           {"threshold_pct", warning.threshold_pct},
                           {"used", s.used},
                           {"amount", s.limit.amount},
                           {"used_pct", 100.0 * s.used / s.limit.amount},
                           {"reset_ms", s.reset_ms},
                           {"at_ms", at_ms}};
  if (user && !user->webhook_url.empty()) {
    // A full queue or a URL that no longer parses is counted by the client, never felt here.
    (void)user_webhooks_.enqueue_to(
        user->webhook_url,
        http::object_json_text(boost::json::object{{"event", "quota_warning"}, {"warning", data}}));
  }
  feed_.publish("quota_warning", std::move(data));
}

}  // namespace gaia::app
