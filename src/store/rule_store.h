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

 private:
  RuleStore& to() { return this->template forward_to<RuleStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
