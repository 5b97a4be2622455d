#pragma once
// DecisionStore: the store's role for the log of confirmation decisions. record_decision is a
// request-path write, queued and group-committed; listing is synchronous. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// One answer of the confirmation policy (POST /api/claude/confirm/request, or an agent's
// command through the executor). Text fields may be empty.
struct ConfirmDecision {
  uint64_t id = 0;  // assigned by the store; 0 until then
  int64_t at_ms = 0;
  std::string user;
  uint64_t key_id = 0;
  std::string command;
  std::string cwd;
  std::string session_id;
  std::string tool;
  std::string decision;  // approve | deny | ask
  std::string source;    // pattern | reviewer | fallback | default | ...
  std::string pattern_id;
  std::string reason;
  std::optional<int64_t> reviewer_latency_ms;  // set when a reviewer was asked
};

// Which decisions to list: every set field must match; newest first, at most `limit`, only
// ids below `before_id` when set (the cursor of the previous page).
struct DecisionFilter {
  std::optional<std::string> user = std::nullopt;
  std::optional<std::string> decision = std::nullopt;
  std::optional<std::string> source = std::nullopt;
  std::optional<int64_t> from_ms = std::nullopt;  // at_ms >= from_ms
  std::optional<int64_t> to_ms = std::nullopt;    // at_ms < to_ms
  std::optional<uint64_t> before_id = std::nullopt;
  size_t limit = 100;
};

class DecisionStore {
 public:
  virtual ~DecisionStore() = default;

  // Queued; stored at the next group commit.
  virtual void record_decision(ConfirmDecision decision) = 0;
  virtual Result<std::vector<ConfirmDecision>> list_decisions(const DecisionFilter& filter) = 0;
};

namespace detail {

// Passes every DecisionStore call to Base's forward_to<DecisionStore>() (see detail/roles.h).
template <class Base>
class ForwardDecisionStore : public Base {
 public:
  using Base::Base;
  void record_decision(ConfirmDecision decision) override {
    to().record_decision(std::move(decision));
  }
  Result<std::vector<ConfirmDecision>> list_decisions(const DecisionFilter& filter) override {
    return to().list_decisions(filter);
  }

 private:
  DecisionStore& to() { return this->template forward_to<DecisionStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
