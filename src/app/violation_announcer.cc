#include "app/violation_announcer.h"

namespace gaia::app {

bool ViolationAnnouncer::take_slot(int64_t at_ms) {
  core::MutexLock lock(mu_);
  const int64_t second = at_ms / 1000;
  if (second != second_) second_ = second, sent_ = 0;
  if (sent_ >= per_second_) return false;
  ++sent_;
  return true;
}

void ViolationAnnouncer::on_violation(const store::Violation& violation) {
  if (!take_slot(violation.at_ms)) return;
  feed_.publish("violation", {{"user", user_name_(violation.user_id).value_or("")},
                              {"type", violation.type},
                              {"limit", violation.limit},
                              {"command", violation.command},
                              {"at_ms", violation.at_ms}});
}

}  // namespace gaia::app
