#pragma once
// A channel that hears of alerts: the live feed, the log, a webhook (built in src/app). Once
// per evaluation round the evaluator tells each channel a rule names one AlertGroup per rule
// and event (alerts/alert_group.h): every alert of the rule that fired this round in one
// notification, every one that resolved in another. notify() is called on the evaluator's
// thread while it holds its state, so an implementation must not block: hand the group on
// (a queue, a non-blocking publish) and return.

#include "alerts/alert_group.h"

namespace gaia::alerts {

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void notify(const AlertGroup& group) = 0;
};

}  // namespace gaia::alerts
