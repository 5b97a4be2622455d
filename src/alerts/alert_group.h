#pragma once
// AlertGroup: one notification. Each evaluation round gathers, per rule, the alerts that
// started firing into one group and the alerts that resolved into another, so an incident
// that trips a rule for a thousand users is told once, listing the thousand, like
// Alertmanager's grouping. Each alert of the group keeps its own state in the store (and is
// acknowledged and silenced on its own); the group is only what the channels are told.
// Plain values: copy freely; any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gaia::alerts {

enum class AlertEvent { kFiring, kResolved };

std::string_view event_name(AlertEvent event);  // "firing", "resolved"

// One alert of a group: its scope ("user:ann", "type:shell", "global") and figure.
struct GroupedAlert {
  uint64_t alert_id = 0;
  std::string scope;
  double value = 0;      // the metric's value this round
  int64_t since_ms = 0;  // when the alert began (its condition first held)
};

struct AlertGroup {
  AlertEvent event = AlertEvent::kFiring;
  uint64_t rule_id = 0;
  std::string rule_name;
  std::string metric;
  std::string severity;
  double threshold = 0;
  int64_t at_ms = 0;                 // the round's time
  std::vector<GroupedAlert> alerts;  // furthest past the threshold first; never empty
  size_t firing = 0;                 // the rule's alerts firing after the round, told or not
};

}  // namespace gaia::alerts
