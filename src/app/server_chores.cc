#include "app/server_chores.h"

#include <chrono>

namespace gaia::app {

namespace {
constexpr int64_t kDayMs = 86'400'000;
}  // namespace

std::unique_ptr<Chores> start_upkeep_chores(const Config& config, const core::Clock& clock,
                                            store::Store& store, Services& services,
                                            ExecStack& exec, confirm::ApprovalDesk& approvals,
                                            std::ostream& err) {
  const int64_t retention_ms = int64_t{config.retention_days} * kDayMs;
  const int64_t violation_retention_ms = int64_t{config.violation_retention_days} * kDayMs;
  // Each job captures references to parts that outlive the chores.
  core::Limiter& limiter = *services.limiter;
  identity::Directory& directory = *services.directory;
  reputation::ReputationBook& reputation = *services.reputation;
  SharedCounters* shared = services.shared_counters.get();
  return std::make_unique<Chores>(std::vector<Chores::Chore>{
      {std::chrono::seconds(1),
       [&clock, &limiter, &exec, &approvals, &directory, &reputation, shared, &err] {
         if (shared) shared->watch(err);  // Redis may have come back without the counters
         for (int i = 0; i < core::Limiter::kShards; ++i) limiter.sweep(clock.now());
         exec.tick();
         approvals.expire();
         // Reputation moves the users' limits on their next check.
         directory.set_limit_scales(reputation.limit_scales());
       }},
      {std::chrono::seconds(2),
       [&reputation, &store, &err] {
         if (core::Status s = reputation.flush(store); !s.ok()) {
           err << "[WARN] saving reputation: " << s.message() << std::endl;
         }
       }},
      {std::chrono::hours(1),
       [&clock, &store, &err, retention_ms, violation_retention_ms] {
         const int64_t now_ms = core::to_ms(clock.now().wall);
         auto deleted = store.delete_executions_before(now_ms - retention_ms);
         if (!deleted.ok()) err << "[WARN] retention: " << deleted.status().message() << std::endl;
         deleted = store.delete_violations_before(now_ms - violation_retention_ms);
         if (!deleted.ok()) {
           err << "[WARN] violation retention: " << deleted.status().message() << std::endl;
         }
       }},
  });
}

std::unique_ptr<Chores> start_analytics_chores(const Config& config, const core::Clock& clock,
                                               analytics::Rollup& rollup, std::ostream& err) {
  return std::make_unique<Chores>(std::vector<Chores::Chore>{
      {std::chrono::seconds(config.analytics_flush_s),
       [&rollup, &err] {
         if (core::Status s = rollup.flush(); !s.ok()) {
           err << "[WARN] analytics flush: " << s.message() << std::endl;
         }
       }},
      {std::chrono::minutes(1),
       [&rollup, &err] {
         if (core::Status s = rollup.compact(); !s.ok()) {
           err << "[WARN] analytics compaction: " << s.message() << std::endl;
         }
       }},
      {std::chrono::hours(1),
       [&clock, &rollup, &err] {
         if (core::Status s = rollup.retain(core::to_ms(clock.now().wall)); !s.ok()) {
           err << "[WARN] analytics retention: " << s.message() << std::endl;
         }
       }},
  });
}

}  // namespace gaia::app
