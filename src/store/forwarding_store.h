#pragma once
// ForwardingStore: a Store that passes every call to another Store. Decorators derive from
// it and override only what they add to (see event_feed.h, journal/resilient_store.h), so a
// new Store method needs forwarding in one place.
//
// Ownership: the inner store is borrowed and must outlive this one.
// Threads: as the inner store.

#include "store/store.h"

namespace gaia::store {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  Result<User> create_user(std::string_view name, core::Tier tier, int64_t now_ms) override {
    return inner_.create_user(name, tier, now_ms);
  }
  Result<std::optional<User>> find_user(std::string_view name) override {
    return inner_.find_user(name);
  }
  Result<std::vector<User>> list_users() override { return inner_.list_users(); }
  Status set_tier(uint64_t user_id, core::Tier tier) override {
    return inner_.set_tier(user_id, tier);
  }
  Result<ApiKey> create_key(uint64_t user_id, Role role, std::string_view label,
                            const KeyHash& hash, int64_t now_ms) override {
    return inner_.create_key(user_id, role, label, hash, now_ms);
  }
  Result<std::vector<ApiKey>> list_keys() override { return inner_.list_keys(); }
  Status revoke_key(uint64_t key_id, int64_t now_ms) override {
    return inner_.revoke_key(key_id, now_ms);
  }
  Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                          int64_t now_ms) override {
    return inner_.add_rules(bodies, now_ms);
  }
  Result<std::vector<StoredRule>> list_rules() override { return inner_.list_rules(); }
  Status update_rule(uint64_t id, std::string_view body, int64_t now_ms) override {
    return inner_.update_rule(id, body, now_ms);
  }
  Result<std::vector<uint64_t>> replace_rules(const std::vector<uint64_t>& remove,
                                              const std::vector<std::string>& bodies,
                                              int64_t now_ms) override {
    return inner_.replace_rules(remove, bodies, now_ms);
  }
  Status append_audit(const AuditEntry& entry) override { return inner_.append_audit(entry); }
  Result<std::vector<AuditEntry>> audit_since(int64_t since_ms) override {
    return inner_.audit_since(since_ms);
  }

  void record_execution(Execution execution, RecordDone done) override {
    inner_.record_execution(std::move(execution), std::move(done));
  }
  void add_usage(Usage delta) override { inner_.add_usage(std::move(delta)); }
  void record_violation(Violation violation) override {
    inner_.record_violation(std::move(violation));
  }
  void record_decision(ConfirmDecision decision) override {
    inner_.record_decision(std::move(decision));
  }
  Status flush() override { return inner_.flush(); }

  Result<std::vector<Usage>> usage_since(int64_t day_start_ms) override {
    return inner_.usage_since(day_start_ms);
  }
  Result<std::vector<Violation>> violations_since(int64_t since_ms) override {
    return inner_.violations_since(since_ms);
  }
  Result<std::vector<ViolationRecord>> list_violations(const ViolationFilter& filter) override {
    return inner_.list_violations(filter);
  }
  Result<uint64_t> delete_usage(uint64_t user_id, int64_t since_day_start_ms) override {
    return inner_.delete_usage(user_id, since_day_start_ms);
  }
  Result<std::optional<Execution>> find_execution(std::string_view id) override {
    return inner_.find_execution(id);
  }
  Result<uint64_t> count_executions() override { return inner_.count_executions(); }
  Result<uint64_t> delete_executions_before(int64_t before_ms) override {
    return inner_.delete_executions_before(before_ms);
  }
  Result<std::vector<ConfirmDecision>> list_decisions(const DecisionFilter& filter) override {
    return inner_.list_decisions(filter);
  }
  Status scan_executions(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const Execution&)>& fn) override {
    return inner_.scan_executions(from_ms, to_ms, fn);
  }
  Status add_aggregates(const std::vector<AggregateRow>& rows) override {
    return inner_.add_aggregates(rows);
  }
  Status scan_aggregates(const AggregateFilter& filter,
                         const std::function<void(const AggregateRowView&)>& fn) override {
    return inner_.scan_aggregates(filter, fn);
  }
  Status replace_aggregates(const AggregateScope& scope,
                            const std::vector<AggregateRow>& rows) override {
    return inner_.replace_aggregates(scope, rows);
  }
  Result<uint64_t> delete_aggregates_before(Granularity g, int64_t before_ms) override {
    return inner_.delete_aggregates_before(g, before_ms);
  }
  Result<std::vector<StoredPattern>> list_patterns() override { return inner_.list_patterns(); }
  Status put_pattern(const StoredPattern& pattern) override { return inner_.put_pattern(pattern); }
  Status delete_pattern(std::string_view id) override { return inner_.delete_pattern(id); }
  Result<bool> seed_patterns(const std::vector<StoredPattern>& patterns) override {
    return inner_.seed_patterns(patterns);
  }
  Result<std::vector<ReputationState>> list_reputations() override {
    return inner_.list_reputations();
  }
  Status put_reputations(const std::vector<ReputationState>& states) override {
    return inner_.put_reputations(states);
  }

  Result<std::vector<StoredAlertRule>> list_alert_rules() override {
    return inner_.list_alert_rules();
  }
  Result<uint64_t> add_alert_rule(std::string_view body, int64_t now_ms) override {
    return inner_.add_alert_rule(body, now_ms);
  }
  Status put_alert_rule(const StoredAlertRule& rule) override {
    return inner_.put_alert_rule(rule);
  }
  Status delete_alert_rule(uint64_t id) override { return inner_.delete_alert_rule(id); }
  Result<bool> seed_alert_rules(const std::vector<std::string>& bodies, int64_t now_ms) override {
    return inner_.seed_alert_rules(bodies, now_ms);
  }
  Result<uint64_t> save_alert(const StoredAlert& alert,
                              const std::vector<AlertTransition>& added) override {
    return inner_.save_alert(alert, added);
  }
  Result<std::vector<StoredAlert>> list_alerts(const AlertFilter& filter) override {
    return inner_.list_alerts(filter);
  }
  Result<std::optional<StoredAlert>> find_alert(uint64_t id) override {
    return inner_.find_alert(id);
  }
  StoreHealth health() override { return inner_.health(); }
  void set_commit_observer(std::function<void(double)> observer) override {
    inner_.set_commit_observer(std::move(observer));
  }
  bool accepts_admissions() const override { return inner_.accepts_admissions(); }
  Result<std::vector<bool>> commit_batch(const WriteBatch& batch,
                                         std::optional<JournalMark> mark) override {
    return inner_.commit_batch(batch, mark);
  }
  Result<uint64_t> journal_applied_through(uint64_t segment) override {
    return inner_.journal_applied_through(segment);
  }

 protected:
  Store& inner() { return inner_; }

 private:
  Store& inner_;
};

}  // namespace gaia::store
