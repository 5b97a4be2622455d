#pragma once
// The figures alert rules are evaluated against, and the catalog of metric names a rule may
// use. src/app implements MetricSource over the service's live parts (the limiter's
// decisions, the load monitor, the executor's queue, the store, the WebSocket hub, the
// analytics detectors); tests implement it with fixed values.
//
// Threads: the evaluator calls read() from its own thread only, once per (metric, scope
// kind) per round, never from the request path.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/rule.h"

namespace gaia::alerts {

// One figure: `key` is the user or command type it is about, empty for the whole service.
struct Sample {
  std::string key;
  double value = 0;
};

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // Appends the current figures of `metric` at `scope` to `out`: for kGlobal at most one
  // sample (none while the figure is unknown, e.g. before the first load reading); for kUser
  // and kType one per user / type that has a figure (one without a figure counts as 0).
  virtual void read(std::string_view metric, ScopeKind scope, std::vector<Sample>& out) = 0;
};

// A metric a rule may name, and the scopes it has figures for.
struct MetricInfo {
  std::string_view name;
  bool per_user = false;
  bool per_type = false;
  std::string_view unit;
  std::string_view description;
};

// Every metric, in documentation order (docs/alerts.md lists the same).
const std::vector<MetricInfo>& metric_catalog();
// nullptr for an unknown name.
const MetricInfo* find_metric(std::string_view name);
bool metric_has_scope(const MetricInfo& metric, ScopeKind scope);

}  // namespace gaia::alerts
