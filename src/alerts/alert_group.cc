#include "alerts/alert_group.h"

namespace gaia::alerts {

std::string_view event_name(AlertEvent event) {
  return event == AlertEvent::kFiring ? "firing" : "resolved";
}

}  // namespace gaia::alerts
