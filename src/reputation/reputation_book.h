#pragma once
// ReputationBook: every user's reputation (core/reputation.h), in memory for the request
// path and saved to the store by flush(), which a chore calls every few seconds, so that a
// violation on the check path never waits on the database. Users without events sit at the
// baseline and are not stored. load() brings back what an earlier run saved.
//
// Events: a violation (a refused check, an executor 429) and a denied command lower the
// score, a clean execution raises it; between events it decays toward the baseline.
//
// The factor is exposed (factor(), GET /api/v1/quota) and, through limit_scales(), put on
// the users' limits (the application hands them to the Directory every second).
//
// Threads: every method from any thread (one lock; no I/O under it).

#include <boost/json/object.hpp>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/reputation.h"
#include "core/status.h"
#include "store/reputation_store.h"

namespace gaia::reputation {

class ReputationBook {
 public:
  // REQUIRES: core::validate(config).ok(). `clock` must outlive the book.
  ReputationBook(const core::ReputationConfig& config, const core::Clock& clock)
      : config_(config), clock_(clock) {}

  // Replaces the in-memory state with what `store` holds.
  core::Status load(store::ReputationStore& store);
  // Saves users changed since the last flush (reset ones included). On failure they stay
  // marked and are tried again next time.
  core::Status flush(store::ReputationStore& store);

  void record(std::string_view user, core::ReputationEvent event);
  // Back to the baseline, history cleared.
  void reset(std::string_view user);

  double score(std::string_view user) const;
  double factor(std::string_view user) const;
  // Every known user's factor now, in thousandths (core::Principal::limit_scale); users not
  // listed are at the baseline's factor.
  std::vector<std::pair<std::string, uint16_t>> limit_scales() const;
  // {"score":61.3,"factor":0.93,"baseline":70,"events":[{"event":"violation","at_ms":..,
  //  "score_after":60}]}
  boost::json::object to_json(std::string_view user) const;

 private:
  // The user's reputation, or a fresh one at the baseline.
  core::Reputation& entry(std::string_view user) REQUIRES(mu_);
  // `user` is among those the next flush writes.
  void mark_dirty(std::string_view user) REQUIRES(mu_);

  const core::ReputationConfig config_;
  const core::Clock& clock_;
  mutable core::Mutex mu_;
  std::map<std::string, core::Reputation, std::less<>> users_ GUARDED_BY(mu_);
  std::set<std::string, std::less<>> dirty_ GUARDED_BY(mu_);
};

std::string_view reputation_event_name(core::ReputationEvent event);

}  // namespace gaia::reputation
