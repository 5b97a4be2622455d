#pragma once
// RedisCounterBackend: core::CounterBackend with Redis as the authority for every counter, so
// that several nodes count as one. A check is one FCALL of gaia_check (counters.lua), which
// evaluates and consumes all of the check's limits atomically with the core's semantics, on
// Redis's own clock. The node resolves the policy from its rules and passes the limits and the
// calendar period ends of its time zone; Redis keeps the counters.
//
// A check that Redis cannot answer within the deadline is answered undecided
// (CheckResult::decided == false): the caller's outage policy decides. Concurrency slots are
// leases that lapse after `lease_ttl` unless renew() extends them.
//
// Ownership: borrows the caller and the limiter (whose rules it follows), which must outlive
// it. Threads: any thread; `done` runs on the caller's io thread, or inline for an answer the
// node knows (no limit applies, or a noted refusal).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cluster/redis/caller.h"
#include "cluster/redis/refusal_note.h"
#include "core/counter_backend.h"
#include "core/limiter.h"
#include "core/mutex.h"

namespace gaia::cluster::redis {

struct RedisCounterOptions {
  std::chrono::milliseconds deadline{5};      // per check
  int64_t lease_ttl_ms = 6'000;               // a concurrency slot's term: renew() well within it
  int64_t concurrency_retry_after_ms = 1000;  // as core::LimiterOptions
  size_t note_capacity = 100'000;
  int64_t note_max_ms = 1000;
  // Tests only: Redis counts at the wall time the node gives instead of its own TIME.
  bool time_from_node = false;
};

class RedisCounterBackend final : public core::CounterBackend {
 public:
  RedisCounterBackend(Caller& caller, const core::Limiter& rules, RedisCounterOptions options);

  void check(const core::CheckRequest& req, core::Instant now, CheckDone done) override;
  void renew(const core::Lease& lease, core::Instant now) override;
  void release(const core::Lease& lease) override;
  void restore(const core::CheckRequest& req, int64_t at_ms, core::Instant now) override;
  // One FCALL of gaia_peek (read-only) with the check's deadline.
  void peek(const core::Principal& principal, core::Instant now, PeekDone done) override;

  // Loads (or replaces) the function library; `done` gets whether Redis took it. Called at
  // start; a check that finds the library missing (Redis restarted) calls it again.
  void load(std::function<void(bool loaded)> done);
  // Forgets the usage of `user` and of its keys: deletes every sliding window and calendar
  // quota counter under the user's hash tag (leases stay: running commands keep their
  // slots). `done` gets how many counters were deleted, or nullopt when Redis did not answer
  // (some may be deleted). Not atomic with checks: each counter is deleted before or after a
  // check that races with the reset. A refusal this node noted may stand for up to a second.
  void reset_user(core::UserId user, std::function<void(std::optional<size_t> cleared)> done);
  // Asks Redis for the epoch of its counters. `done(true)`: Redis held no epoch, so it holds
  // none of the counters counted before (first start, or Redis came back empty), and this
  // node, which set the new epoch, restores calendar usage from the store. `done(false)`:
  // nothing to restore here, or Redis did not answer.
  void check_epoch(std::function<void(bool restore)> done);

 private:
  struct Pending;
  struct Reset;
  // One SCAN round of `reset` from `cursor`; scanned() deletes what it found and goes on.
  void reset_from(const std::shared_ptr<Reset>& reset, const std::string& cursor);
  void scanned(const std::shared_ptr<Reset>& reset, const CallResult& r);
  void answer(const std::shared_ptr<Pending>& pending, CallResult result);
  std::optional<int64_t> time_arg(core::Instant now) const;

  Caller& caller_;
  const core::Limiter& rules_;
  const RedisCounterOptions options_;
  RefusalNote note_;
  const uint64_t lease_base_;  // random, so lease ids of different nodes never meet
  std::atomic<uint64_t> next_lease_{1};
  std::atomic<bool> loading_{false};
};

}  // namespace gaia::cluster::redis
