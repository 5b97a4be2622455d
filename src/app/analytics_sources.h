#pragma once
// What the analytics detectors read from the rest of the server, adapted to their small
// interfaces (analytics/detectors.h): reputation movements from the ReputationBook, and the
// calendar quotas of every user as the limiter enforces them now.
//
// Ownership: everything is borrowed and must outlive the adapters.
// Threads: any thread (the book and the limiter are thread-safe; the user list is read from
// the store, so not on the request path).

#include "analytics/detectors.h"
#include "core/clock.h"
#include "core/limiter.h"
#include "identity/directory.h"
#include "reputation/reputation_book.h"
#include "store/store.h"

namespace gaia::app {

class ReputationMoves final : public analytics::ReputationSource {
 public:
  explicit ReputationMoves(const reputation::ReputationBook& book) : book_(book) {}
  // Before: the score after the last event before `since_ms`, else the baseline; nullopt
  // for a user without events.
  std::optional<analytics::ReputationMove> movement(std::string_view user,
                                                    int64_t since_ms) const override;

 private:
  const reputation::ReputationBook& book_;
};

class LimiterQuotas final : public analytics::QuotaSource {
 public:
  LimiterQuotas(store::Store& store, core::Limiter& limiter, const identity::Directory& directory,
                const core::Clock& clock)
      : store_(store), limiter_(limiter), directory_(directory), clock_(clock) {}
  // Every calendar limit of a single command type of every user (user-wide rules, not
  // per-key ones); empty when the users cannot be read.
  std::vector<analytics::QuotaUse> calendar_quotas(int64_t now_ms) const override;

 private:
  store::Store& store_;
  core::Limiter& limiter_;
  const identity::Directory& directory_;
  const core::Clock& clock_;
};

}  // namespace gaia::app
