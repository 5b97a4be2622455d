#pragma once
// PatternStore: the store's role for the confirmation patterns admins manage. Synchronous and
// durable when a call returns. Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// A confirmation pattern an admin manages, as the JSON of confirm/pattern_json.h.
struct StoredPattern {
  std::string id;
  std::string body;
  int64_t updated_at_ms = 0;
};

class PatternStore {
 public:
  virtual ~PatternStore() = default;

  // By id.
  virtual Result<std::vector<StoredPattern>> list_patterns() = 0;
  // Inserts or replaces.
  virtual Status put_pattern(const StoredPattern& pattern) = 0;
  // kNotFound when there is no such pattern.
  virtual Status delete_pattern(std::string_view id) = 0;
  // Stores `patterns` only the very first time it is called on this database (an admin who
  // deleted every pattern does not get the defaults back); true when it stored them.
  virtual Result<bool> seed_patterns(const std::vector<StoredPattern>& patterns) = 0;
};

namespace detail {

// Passes every PatternStore call to Base's forward_to<PatternStore>() (see detail/roles.h).
template <class Base>
class ForwardPatternStore : public Base {
 public:
  using Base::Base;
  Result<std::vector<StoredPattern>> list_patterns() override { return to().list_patterns(); }
  Status put_pattern(const StoredPattern& pattern) override { return to().put_pattern(pattern); }
  Status delete_pattern(std::string_view id) override { return to().delete_pattern(id); }
  Result<bool> seed_patterns(const std::vector<StoredPattern>& patterns) override {
    return to().seed_patterns(patterns);
  }

 private:
  PatternStore& to() { return this->template forward_to<PatternStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
