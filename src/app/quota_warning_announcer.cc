#include "app/quota_warning_announcer.h"

namespace gaia::app {

void QuotaWarningAnnouncer::on_quota_warning(uint64_t user_id, std::string_view type,
                                             std::string_view limit,
                                             const exec::QuotaWarning& warning, int64_t at_ms) {
  const core::LimitState& s = warning.state;
  feed_.publish("quota_warning", {{"user", user_name_(user_id).value_or("")},
                                  {"type", type},
                                  {"limit", limit},
                                  {"period", core::period_name(s.limit.period)},
                                  {"threshold_pct", warning.threshold_pct},
                                  {"used", s.used},
                                  {"amount", s.limit.amount},
                                  {"used_pct", 100.0 * s.used / s.limit.amount},
                                  {"reset_ms", s.reset_ms},
                                  {"at_ms", at_ms}});
}

}  // namespace gaia::app
