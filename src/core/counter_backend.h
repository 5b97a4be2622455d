#pragma once
// CounterBackend: where the counters of a check live. The in-memory Limiter (LocalCounters) is
// the default and answers inline; a shared backend (cluster/redis) keeps the counters of every
// node in one place and answers when its reply arrives. Callers therefore hand over a `done`
// callback and carry on from there, whichever backend is in force.
//
// Contract (every backend): the semantics of Limiter::check — all limits of the check
// evaluated and consumed atomically, a refusal consumes nothing, shadow limits consume only
// when they would have admitted, the deciding limit and its exact retry_after_ms.
// Threads: any thread may call any method; `done` runs exactly once, on the calling thread
// (in memory) or on a backend thread, and must not block.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "core/decision.h"
#include "core/limiter.h"

namespace gaia::core {

// A check's answer: the decision, or why there is none (the backend could not be asked in
// time); the caller's outage policy decides then.
struct CheckResult {
  bool decided = true;
  Decision decision;  // when decided
};

class CounterBackend {
 public:
  // Small captures (one pointer) are stored without allocating.
  using CheckDone = std::function<void(const CheckResult&)>;
  // The lines of Limiter::quota_status, or nullopt when the backend could not be asked in time.
  using PeekDone = std::function<void(std::optional<std::vector<QuotaLine>>)>;

  virtual ~CounterBackend() = default;

  // Checks `req` at `now` as Limiter::check does and calls `done` with the answer.
  virtual void check(const CheckRequest& req, Instant now, CheckDone done) = 0;
  // Keeps the concurrency slots of a command still running: a shared backend's slots are
  // leases that lapse unless renewed (so a node that dies gives them back).
  virtual void renew(const Lease& lease, Instant now) = 0;
  // Gives back the concurrency slots of an admitted check.
  virtual void release(const Lease& lease) = 0;
  // Counts usage recorded before a restart (Limiter::restore).
  virtual void restore(const CheckRequest& req, int64_t at_ms, Instant now) = 0;
  // Reads the state of every enforced limit of `principal` at `now`, as
  // Limiter::quota_status does, consuming nothing.
  virtual void peek(const Principal& principal, Instant now, PeekDone done) = 0;
};

}  // namespace gaia::core
