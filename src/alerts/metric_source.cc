#include "alerts/metric_source.h"

namespace gaia::alerts {

const std::vector<MetricInfo>& metric_catalog() {
  static const std::vector<MetricInfo> kCatalog = {
      {"violation_rate", true, true, "per minute",
       "refusals by the limiter per minute, over the last 5 minutes"},
      {"refusal_share", true, true, "%",
       "refused checks as a share of all checks, over the last 5 minutes"},
      {"quota_use_pct", true, true, "%",
       "the highest use of a calendar quota (day, week, month) in the current period"},
      {"cpu_pct", false, false, "%", "CPU use of the host or cgroup, smoothed"},
      {"memory_pct", false, false, "%", "memory use of the host or cgroup, smoothed"},
      {"throttle_factor", false, false, "0..1", "the load throttle factor (1 = no throttling)"},
      {"queue_length", false, false, "commands", "commands waiting in the executor's queue"},
      {"queue_wait_ms", false, false, "ms",
       "how long the commands admitted since the last round waited in the queue, at most"},
      {"store_healthy", false, false, "0|1",
       "1 while the store writes to its database, 0 while failing or journalling"},
      {"counters_reachable", false, false, "0|1",
       "1 while the counters answer (always in memory), 0 while the shared counters (Redis) "
       "are unreachable and checks follow the outage policy"},
      {"store_write_backlog", false, false, "writes",
       "writes queued for the database plus records waiting in the outage journal"},
      {"ws_drops", false, false, "per round",
       "live-feed messages dropped and slow clients closed since the last round"},
      {"webhook_failures", false, false, "per round",
       "alert webhook deliveries that failed for good since the last round"},
      {"detector_spikes", true, false, "users | ratio",
       "users whose last hour is far above their own baseline (per user: the ratio)"},
      {"detector_violators", true, false, "users | refusals",
       "repeat violators (per user: refusals in the detector's window)"},
      {"detector_forecast", true, true, "quotas", "quotas projected to run out before they reset"},
  };
  return kCatalog;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const MetricInfo& m : metric_catalog()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool metric_has_scope(const MetricInfo& metric, ScopeKind scope) {
  switch (scope) {
    case ScopeKind::kGlobal:
      return true;
    case ScopeKind::kUser:
      return metric.per_user;
    case ScopeKind::kType:
      return metric.per_type;
  }
  return false;
}

}  // namespace gaia::alerts
