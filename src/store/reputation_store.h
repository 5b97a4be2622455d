#pragma once
// ReputationStore: the store's role for users' reputation state. Synchronous and durable when
// a call returns. Thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// A user's reputation as last saved: the score at updated_at_ms and the recent events as
// JSON (see reputation/reputation_book.h).
struct ReputationState {
  std::string user;
  double score = 0;
  int64_t updated_at_ms = 0;
  std::string events;  // JSON array
};

class ReputationStore {
 public:
  virtual ~ReputationStore() = default;

  // By user name.
  virtual Result<std::vector<ReputationState>> list_reputations() = 0;
  // Upserts every entry in one transaction.
  virtual Status put_reputations(const std::vector<ReputationState>& states) = 0;
};

namespace detail {

// Passes every ReputationStore call to Base's forward_to<ReputationStore>() (see
// detail/roles.h).
template <class Base>
class ForwardReputationStore : public Base {
 public:
  using Base::Base;
  Result<std::vector<ReputationState>> list_reputations() override {
    return to().list_reputations();
  }
  Status put_reputations(const std::vector<ReputationState>& states) override {
    return to().put_reputations(states);
  }

 private:
  ReputationStore& to() { return this->template forward_to<ReputationStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
