#pragma once
// AlertMetrics: the live figures alert rules are evaluated against (alerts/metric_source.h),
// over the service's parts. It listens to the store's events (store/event_feed.h) to count
// admissions and refusals per user, per command type and in all over the last 5 minutes, in
// 10-second buckets kept in shards by user so that the request path takes one short lock;
// everything else is read when the evaluator asks, on its thread: the executor's status
// (load, throttle, queue), the store's health, the live feed's drops, the webhook's
// failures, the quota counters and the analytics detectors.
//
// Ownership: the sources' callees are borrowed and must outlive this object.
// Threads: on_usage()/on_violation() from any thread (the request path); read() from the
// evaluator's thread.

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerts/metric_source.h"
#include "core/clock.h"
#include "store/event_feed.h"

namespace gaia::app {

struct AlertMetricSources {
  // The executor's status (ExecStack::status_json): cpu_pct, mem_pct, throttle_factor, queued.
  std::function<boost::json::object()> executor;
  store::Store* store = nullptr;  // its health(): state and write backlog
  // Whether the shared counters answer; unset: the counters are in memory (always 1).
  std::function<bool()> counters_reachable;
  // Running totals; the metric is the growth since the previous round.
  std::function<uint64_t()> ws_drops;
  std::function<uint64_t()> webhook_failures;
  // A user's name by id, or nullopt for one no longer known.
  std::function<std::optional<std::string>(uint64_t)> user_name;
  // A user's use of each calendar quota in %, by command type name ("*" for all types).
  std::function<void(uint64_t user_id, std::map<std::string, double>& pct_by_type)> quota_use;
  // The analytics detectors' figures (detector_* metrics), when wired.
  std::function<void(std::string_view metric, alerts::ScopeKind scope,
                     std::vector<alerts::Sample>& out)>
      detectors;
};

class AlertMetrics final : public alerts::MetricSource, public store::StoreListener {
 public:
  static constexpr int kBuckets = 30;  // of 10 s: five minutes
  static constexpr int64_t kBucketMs = 10'000;

  AlertMetrics(const core::Clock& clock, AlertMetricSources sources);
  ~AlertMetrics() override;

  void on_usage(const store::Usage& delta, int64_t at_ms) override;
  void on_violation(const store::Violation& violation) override;

  void read(std::string_view metric, alerts::ScopeKind scope,
            std::vector<alerts::Sample>& out) override;

  struct UserActivity {
    uint64_t user_id = 0;
    uint64_t admitted = 0;  // units
    uint64_t refused = 0;
  };
  // The `n` busiest users of the last five minutes (admitted units plus refusals), busiest
  // first; for the live stats. Any thread.
  std::vector<UserActivity> top_users(size_t n) const;

 private:
  struct Window {
    std::array<int64_t, kBuckets> epoch{};  // the 10 s period each bucket counts
    std::array<uint32_t, kBuckets> admitted{};
    std::array<uint32_t, kBuckets> refused{};
    void add(int64_t at_ms, uint32_t admitted_units, uint32_t refusals);
    // Sums over the buckets of the last five minutes before now_ms.
    void sum(int64_t now_ms, uint64_t& admitted_units, uint64_t& refusals) const;
  };
  struct Shard;
  static constexpr int kShards = 16;

  void count(uint64_t user_id, const std::string& type, int64_t at_ms, uint32_t admitted,
             uint32_t refused);
  void rates(std::string_view metric, alerts::ScopeKind scope, std::vector<alerts::Sample>& out);
  std::optional<double> executor_figure(std::string_view metric);

  const core::Clock& clock_;
  const AlertMetricSources sources_;
  std::array<std::unique_ptr<Shard>, kShards> shards_;
  // Evaluator thread only.
  uint64_t last_ws_drops_ = 0;
  uint64_t last_webhook_failures_ = 0;
};

}  // namespace gaia::app
