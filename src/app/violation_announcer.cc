#include "app/violation_announcer.h"

namespace gaia::app {

void ViolationAnnouncer::on_violation(const store::Violation& violation) {
  // Built only when the feed sends it: in a flood, most refusals are folded into a count.
  feed_.publish_built("violation", [&] {
    return boost::json::object{{"user", user_name_(violation.user_id).value_or("")},
                               {"type", violation.type},
                               {"limit", violation.limit},
                               {"command", violation.command},
                               {"at_ms", violation.at_ms},
                               {"count", violation.count},
                               {"first_at", violation.first_ms()}};
  });
}

}  // namespace gaia::app
