#include "alerts/default_rules.h"

namespace gaia::alerts {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

AlertRule rule(std::string name, std::string metric, Condition condition, double threshold,
               seconds for_duration, ScopeKind scope, Severity severity, seconds cooldown,
               bool enabled) {
  AlertRule r;
  r.name = std::move(name);
  r.metric = std::move(metric);
  r.condition = condition;
  r.threshold = threshold;
  r.for_duration = for_duration;
  r.scope.kind = scope;
  r.severity = severity;
  r.cooldown = cooldown;
  r.enabled = enabled;
  r.channels = {"websocket", "log"};
  if (severity != Severity::kInfo) r.channels.push_back("webhook");
  return r;
}

}  // namespace

std::vector<AlertRule> default_rules() {
  using C = Condition;
  using S = ScopeKind;
  using V = Severity;
  return {
      rule("Refusals surging", "violation_rate", C::kGreater, 60, minutes(2), S::kGlobal,
           V::kWarning, minutes(15), true),
      rule("User refused repeatedly", "violation_rate", C::kGreater, 10, minutes(5), S::kUser,
           V::kInfo, minutes(30), true),
      rule("Most checks refused", "refusal_share", C::kGreater, 50, minutes(5), S::kGlobal,
           V::kWarning, minutes(15), true),
      rule("Quota nearly used", "quota_use_pct", C::kGreaterEqual, 90, seconds(0), S::kUser,
           V::kInfo, minutes(60), false),
      rule("CPU saturated", "cpu_pct", C::kGreater, 90, minutes(5), S::kGlobal, V::kCritical,
           minutes(15), true),
      rule("Memory saturated", "memory_pct", C::kGreater, 90, minutes(5), S::kGlobal, V::kCritical,
           minutes(15), true),
      rule("Load throttling", "throttle_factor", C::kLess, 0.6, minutes(2), S::kGlobal, V::kWarning,
           minutes(15), true),
      rule("Executor queue backing up", "queue_length", C::kGreater, 100, minutes(2), S::kGlobal,
           V::kWarning, minutes(15), true),
      rule("Commands waiting long", "queue_wait_ms", C::kGreater, 30'000, minutes(2), S::kGlobal,
           V::kWarning, minutes(15), false),
      rule("Store unhealthy", "store_healthy", C::kLess, 1, seconds(30), S::kGlobal, V::kCritical,
           minutes(5), true),
      rule("Shared counters unreachable", "counters_reachable", C::kLess, 1, seconds(10),
           S::kGlobal, V::kCritical, minutes(5), true),
      rule("Store write backlog", "store_write_backlog", C::kGreater, 10'000, minutes(1),
           S::kGlobal, V::kWarning, minutes(15), true),
      rule("Live feed dropping messages", "ws_drops", C::kGreater, 100, seconds(0), S::kGlobal,
           V::kInfo, minutes(30), false),
      rule("Alert webhook failing", "webhook_failures", C::kGreater, 0, seconds(0), S::kGlobal,
           V::kWarning, minutes(30), true),
      rule("Usage spike", "detector_spikes", C::kGreater, 0, seconds(0), S::kUser, V::kInfo,
           minutes(60), true),
      rule("Repeat violator", "detector_violators", C::kGreater, 0, seconds(0), S::kUser,
           V::kWarning, minutes(60), true),
      rule("Quota runs out before reset", "detector_forecast", C::kGreater, 0, seconds(0), S::kUser,
           V::kInfo, minutes(60), false),
  };
}

}  // namespace gaia::alerts
