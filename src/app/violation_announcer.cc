#include "app/violation_announcer.h"

namespace gaia::app {

void ViolationAnnouncer::on_violation(const store::Violation& violation) {
  feed_.publish("violation", {{"user", user_name_(violation.user_id).value_or("")},
                              {"type", violation.type},
                              {"limit", violation.limit},
                              {"command", violation.command},
                              {"at_ms", violation.at_ms},
                              {"count", violation.count},
                              {"first_at", violation.first_ms()}});
}

}  // namespace gaia::app
