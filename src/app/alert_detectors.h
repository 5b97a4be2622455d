#pragma once
// AlertDetectors: the analytics detectors (analytics/detectors.h) as the detector_* alert
// metrics (alerts/metric_source.h):
//   detector_spikes     the hour under way against each user's own baseline; per user the
//                       robust z-score, global the number of users flagged
//   detector_violators  refusals over the last hour above the detector's minimum; per user
//                       the refusals, global the number of users flagged
//   detector_forecast   calendar quotas that run out before they reset at the last hour's
//                       rate; per user / per type the number of such quotas, global all
// Each detector runs at most once per evaluation round however many rules read it.
//
// Ownership: borrows the detectors and the clock. Threads: the evaluator's thread only.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/metric_source.h"
#include "analytics/detectors.h"
#include "core/clock.h"

namespace gaia::app {

class AlertDetectors {
 public:
  AlertDetectors(const analytics::Detectors& detectors, const core::Clock& clock)
      : detectors_(detectors), clock_(clock) {}

  void read(std::string_view metric, alerts::ScopeKind scope, std::vector<alerts::Sample>& out);

 private:
  struct Cached {
    core::MonoTime at;
    bool ok = false;
    analytics::Findings findings;
  };
  // The findings of `kind` at most a second old; nullptr when the detector failed.
  const analytics::Findings* findings(const std::string& kind);

  const analytics::Detectors& detectors_;
  const core::Clock& clock_;
  std::map<std::string, Cached> cache_;
};

}  // namespace gaia::app
