#pragma once
// LocalCounters: the in-memory CounterBackend, one node's own Limiter. Answers inline, so a
// single node pays one indirect call for the seam and nothing else.
// Ownership: borrows the limiter, which must outlive it. Threads: as Limiter.

#include "core/counter_backend.h"
#include "core/limiter.h"

namespace gaia::core {

class LocalCounters final : public CounterBackend {
 public:
  explicit LocalCounters(Limiter& limiter) : limiter_(limiter) {}

  void check(const CheckRequest& req, Instant now, CheckDone done) override {
    CheckResult result;
    result.decision = limiter_.check(req, now);
    done(result);
  }
  void renew(const Lease&, Instant) override {}  // in-memory slots do not lapse
  void release(const Lease& lease) override { limiter_.release(lease); }
  void restore(const CheckRequest& req, int64_t at_ms, Instant now) override {
    limiter_.restore(req, at_ms, now);
  }
  void peek(const Principal& principal, Instant now, PeekDone done) override {
    done(limiter_.quota_status(principal, now));
  }

 private:
  Limiter& limiter_;
};

}  // namespace gaia::core
