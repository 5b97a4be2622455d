#pragma once
// ReputationFeed: a Store that passes everything to another and, on the way, tells the
// reputation book about the events it sees: a violation (a refused check, a command the
// executor refused with 429) and a clean execution (exit code 0). Every writer of those rows
// goes through the store, so the reputation follows them without each caller knowing.
//
// Threads: as the inner store; the callbacks take the book's lock briefly, no I/O.

#include <functional>
#include <optional>
#include <string>

#include "http/reputation_book.h"
#include "store/store.h"

namespace gaia::app {

class ReputationFeed final : public store::Store {
 public:
  // The name of user `id`, or nullopt when unknown.
  using UserName = std::function<std::optional<std::string>(uint64_t id)>;

  // `inner` and `book` must outlive the feed.
  ReputationFeed(store::Store& inner, http::ReputationBook& book, UserName user_name)
      : inner_(inner), book_(book), user_name_(std::move(user_name)) {}

  void record_execution(store::Execution execution, store::RecordDone done) override;
  void record_violation(store::Violation violation) override;

  // The rest is the inner store's.
  store::Result<store::User> create_user(std::string_view name, core::Tier tier,
                                         int64_t now_ms) override {
    return inner_.create_user(name, tier, now_ms);
  }
  store::Result<std::optional<store::User>> find_user(std::string_view name) override {
    return inner_.find_user(name);
  }
  store::Result<std::vector<store::User>> list_users() override { return inner_.list_users(); }
  store::Status set_tier(uint64_t user_id, core::Tier tier) override {
    return inner_.set_tier(user_id, tier);
  }
  store::Result<store::ApiKey> create_key(uint64_t user_id, store::Role role,
                                          std::string_view label, const store::KeyHash& hash,
                                          int64_t now_ms) override {
    return inner_.create_key(user_id, role, label, hash, now_ms);
  }
  store::Result<std::vector<store::ApiKey>> list_keys() override { return inner_.list_keys(); }
  store::Status revoke_key(uint64_t key_id, int64_t now_ms) override {
    return inner_.revoke_key(key_id, now_ms);
  }
  store::Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                                 int64_t now_ms) override {
    return inner_.add_rules(bodies, now_ms);
  }
  store::Result<std::vector<store::StoredRule>> list_rules() override {
    return inner_.list_rules();
  }
  store::Status append_audit(const store::AuditEntry& entry) override {
    return inner_.append_audit(entry);
  }
  store::Result<std::vector<store::AuditEntry>> audit_since(int64_t since_ms) override {
    return inner_.audit_since(since_ms);
  }
  void add_usage(store::Usage delta) override { inner_.add_usage(std::move(delta)); }
  void record_decision(store::ConfirmDecision decision) override {
    inner_.record_decision(std::move(decision));
  }
  store::Status flush() override { return inner_.flush(); }
  store::Result<std::vector<store::Usage>> usage_since(int64_t day_start_ms) override {
    return inner_.usage_since(day_start_ms);
  }
  store::Result<std::vector<store::Violation>> violations_since(int64_t since_ms) override {
    return inner_.violations_since(since_ms);
  }
  store::Result<std::optional<store::Execution>> find_execution(std::string_view id) override {
    return inner_.find_execution(id);
  }
  store::Result<uint64_t> count_executions() override { return inner_.count_executions(); }
  store::Result<uint64_t> delete_executions_before(int64_t before_ms) override {
    return inner_.delete_executions_before(before_ms);
  }
  store::Result<std::vector<store::ConfirmDecision>> list_decisions(
      const store::DecisionFilter& filter) override {
    return inner_.list_decisions(filter);
  }
  store::Result<std::vector<store::StoredPattern>> list_patterns() override {
    return inner_.list_patterns();
  }
  store::Status put_pattern(const store::StoredPattern& pattern) override {
    return inner_.put_pattern(pattern);
  }
  store::Status delete_pattern(std::string_view id) override { return inner_.delete_pattern(id); }
  store::Result<bool> seed_patterns(const std::vector<store::StoredPattern>& patterns) override {
    return inner_.seed_patterns(patterns);
  }
  store::Result<std::vector<store::ReputationState>> list_reputations() override {
    return inner_.list_reputations();
  }
  store::Status put_reputations(const std::vector<store::ReputationState>& states) override {
    return inner_.put_reputations(states);
  }
  store::StoreHealth health() override { return inner_.health(); }
  void set_commit_observer(std::function<void(double)> observer) override {
    inner_.set_commit_observer(std::move(observer));
  }
  bool accepts_admissions() const override { return inner_.accepts_admissions(); }
  store::Result<std::vector<bool>> commit_batch(const store::WriteBatch& batch,
                                                std::optional<store::JournalMark> mark) override {
    return inner_.commit_batch(batch, mark);
  }
  store::Result<uint64_t> journal_applied_through(uint64_t segment) override {
    return inner_.journal_applied_through(segment);
  }

 private:
  void tell(uint64_t user_id, core::ReputationEvent event);

  store::Store& inner_;
  http::ReputationBook& book_;
  const UserName user_name_;
};

}  // namespace gaia::app
