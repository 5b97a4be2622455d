#pragma once
// A channel that hears of alerts: the live feed, the log, a webhook (built in src/app and
// src/http). The evaluator calls notify() on its own thread while holding its state, so an
// implementation must not block: hand the alert on (a queue, a non-blocking publish) and
// return.

#include <string_view>

#include "store/alert_store.h"

namespace gaia::alerts {

enum class AlertEvent { kFiring, kResolved };

std::string_view event_name(AlertEvent event);  // "firing", "resolved"

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void notify(const store::StoredAlert& alert, AlertEvent event) = 0;
};

}  // namespace gaia::alerts
