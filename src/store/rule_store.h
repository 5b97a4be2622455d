#pragma once
// RuleStore: the store's role for the quota rules admins make. Synchronous and durable when a
// call returns. Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// A command type an admin added (the built-in ones live in code). A removed type keeps its
// row, retired, and with it its place in the order of types (by id), which the limiter's
// counters are keyed by; adding the name again brings the same row back.
struct StoredCommandType {
  uint64_t id = 0;
  std::string name;
  std::string description;
  bool retired = false;
  int64_t updated_at_ms = 0;
};

// A command type put with its rules (RuleStore::put_command_type): their ids.
struct PutCommandType {
  uint64_t id = 0;
  std::vector<uint64_t> rule_ids;  // in the order of the bodies given
};

// A quota rule an admin made, as the JSON of rules/rule_json.h.
struct StoredRule {
  uint64_t id = 0;
  std::string body;
  int64_t updated_at_ms = 0;
};

class RuleStore {
 public:
  virtual ~RuleStore() = default;

  // Kept in one transaction with their ids; `bodies` get ids in order.
  virtual Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                                  int64_t now_ms) = 0;
  virtual Result<std::vector<StoredRule>> list_rules() = 0;
  // Replaces the body of rule `id`; kNotFound (nothing changed) when there is none.
  virtual Status update_rule(uint64_t id, std::string_view body, int64_t now_ms) = 0;
  // In one transaction, deletes the rules `remove` and adds `bodies` (ids in order, as
  // add_rules). kNotFound, and nothing changed, when a rule of `remove` does not exist.
  virtual Result<std::vector<uint64_t>> replace_rules(const std::vector<uint64_t>& remove,
                                                      const std::vector<std::string>& bodies,
                                                      int64_t now_ms) = 0;

  // Every command type added, retired ones too, by id.
  virtual Result<std::vector<StoredCommandType>> list_command_types() = 0;
  // Adds type `name`, or brings back the retired type of that name (same id) with
  // `description`, and adds the rules `bodies` (its limits), in one transaction: another node
  // never reads the type without them. A live type of that name is overwritten: callers check.
  virtual Result<PutCommandType> put_command_type(std::string_view name,
                                                  std::string_view description,
                                                  const std::vector<std::string>& bodies,
                                                  int64_t now_ms) = 0;
  // Retires the live type `name` and deletes the rules `remove` (those that name it), in one
  // transaction: another node never reads the type without its limits. kNotFound, and nothing
  // changed, when there is no such type or rule.
  virtual Status retire_command_type(std::string_view name, const std::vector<uint64_t>& remove,
                                     int64_t now_ms) = 0;
};

namespace detail {

// Passes every RuleStore call to Base's forward_to<RuleStore>() (see detail/roles.h).
template <class Base>
class ForwardRuleStore : public Base {
 public:
  using Base::Base;
  Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                          int64_t now_ms) override {
    return to().add_rules(bodies, now_ms);
  }
  Result<std::vector<StoredRule>> list_rules() override { return to().list_rules(); }
  Status update_rule(uint64_t id, std::string_view body, int64_t now_ms) override {
    return to().update_rule(id, body, now_ms);
  }
  Result<std::vector<uint64_t>> replace_rules(const std::vector<uint64_t>& remove,
                                              const std::vector<std::string>& bodies,
                                              int64_t now_ms) override {
    return to().replace_rules(remove, bodies, now_ms);
  }
  Result<std::vector<StoredCommandType>> list_command_types() override {
    return to().list_command_types();
  }
  Result<PutCommandType> put_command_type(std::string_view name, std::string_view description,
                                          const std::vector<std::string>& bodies,
                                          int64_t now_ms) override {
    return to().put_command_type(name, description, bodies, now_ms);
  }
  Status retire_command_type(std::string_view name, const std::vector<uint64_t>& remove,
                             int64_t now_ms) override {
    return to().retire_command_type(name, remove, now_ms);
  }

 private:
  RuleStore& to() { return this->template forward_to<RuleStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
