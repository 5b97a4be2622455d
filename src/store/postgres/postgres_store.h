#pragma once
// The Store on a PostgreSQL database (DATABASE_URL=postgres://...), the store several
// servers share. Synchronous calls share one connection under a lock; the group-commit
// writer owns another, and writes each batch as a few multi-row statements (unnest of
// arrays) in one transaction. Prepared statements throughout; a lost connection is
// re-established by the next call.

#include <memory>
#include <string>

#include "core/mutex.h"
#include "store/postgres/connection.h"
#include "store/store.h"
#include "store/write_queue.h"

namespace gaia::store::postgres {

class PostgresStore final : public Store {
 public:
  // Connects to `url`, applies migrations, starts the writer. kUnavailable when the server
  // cannot be reached. `clock` must outlive the store.
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                     const core::Clock& clock);
  ~PostgresStore() override;

  Result<User> create_user(std::string_view name, core::Tier tier, int64_t now_ms) override;
  Result<std::optional<User>> find_user(std::string_view name) override;
  Result<std::vector<User>> list_users() override;
  Status set_tier(uint64_t user_id, core::Tier tier) override;

  Result<ApiKey> create_key(uint64_t user_id, Role role, std::string_view label,
                            const KeyHash& hash, int64_t now_ms) override;
  Result<std::vector<ApiKey>> list_keys() override;
  Status revoke_key(uint64_t key_id, int64_t now_ms) override;

  Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                          int64_t now_ms) override;
  Result<std::vector<StoredRule>> list_rules() override;
  Status update_rule(uint64_t id, std::string_view body, int64_t now_ms) override;
  Result<std::vector<uint64_t>> replace_rules(const std::vector<uint64_t>& remove,
                                              const std::vector<std::string>& bodies,
                                              int64_t now_ms) override;

  Status append_audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> audit_since(int64_t since_ms) override;

  void record_execution(Execution execution, RecordDone done) override;
  void add_usage(Usage delta) override;
  void record_violation(Violation violation) override;
  void record_decision(ConfirmDecision decision) override;
  Status flush() override;

  Result<std::vector<Usage>> usage_since(int64_t day_start_ms) override;
  Result<std::vector<Violation>> violations_since(int64_t since_ms) override;
  Result<std::vector<ViolationRecord>> list_violations(const ViolationFilter& filter) override;
  Result<uint64_t> delete_usage(uint64_t user_id, int64_t since_day_start_ms) override;
  Result<std::optional<Execution>> find_execution(std::string_view id) override;
  Result<uint64_t> count_executions() override;
  Result<uint64_t> delete_executions_before(int64_t before_ms) override;

  Result<std::vector<ConfirmDecision>> list_decisions(const DecisionFilter& filter) override;
  Status scan_executions(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const Execution&)>& fn) override;
  Status add_aggregates(const std::vector<AggregateRow>& rows) override;
  Status scan_aggregates(const AggregateFilter& filter,
                         const std::function<void(const AggregateRowView&)>& fn) override;
  Status replace_aggregates(const AggregateScope& scope,
                            const std::vector<AggregateRow>& rows) override;
  Result<uint64_t> delete_aggregates_before(Granularity g, int64_t before_ms) override;

  Result<std::vector<StoredPattern>> list_patterns() override;
  Status put_pattern(const StoredPattern& pattern) override;
  Status delete_pattern(std::string_view id) override;
  Result<bool> seed_patterns(const std::vector<StoredPattern>& patterns) override;
  Result<std::vector<ReputationState>> list_reputations() override;
  Status put_reputations(const std::vector<ReputationState>& states) override;

  Result<std::vector<StoredAlertRule>> list_alert_rules() override;
  Result<uint64_t> add_alert_rule(std::string_view body, int64_t now_ms) override;
  Status put_alert_rule(const StoredAlertRule& rule) override;
  Status delete_alert_rule(uint64_t id) override;
  Result<bool> seed_alert_rules(const std::vector<std::string>& bodies, int64_t now_ms) override;
  Result<uint64_t> save_alert(const StoredAlert& alert,
                              const std::vector<AlertTransition>& added) override;
  Result<std::vector<StoredAlert>> list_alerts(const AlertFilter& filter) override;
  Result<std::optional<StoredAlert>> find_alert(uint64_t id) override;

  StoreHealth health() override;
  void set_commit_observer(std::function<void(double)> observer) override;

  Result<std::vector<bool>> commit_batch(const WriteBatch& batch,
                                         std::optional<JournalMark> mark) override;
  Result<uint64_t> journal_applied_through(uint64_t segment) override;

 private:
  PostgresStore(std::unique_ptr<Connection> reader, std::unique_ptr<Connection> writer,
                const core::Clock& clock);

  core::Mutex mu_;
  std::unique_ptr<Connection> db_ GUARDED_BY(mu_);
  core::Mutex write_mu_;  // the write queue's thread, and commit_batch() callers
  std::unique_ptr<Connection> writer_db_ GUARDED_BY(write_mu_);
  std::unique_ptr<WriteQueue> queue_;
};

}  // namespace gaia::store::postgres
