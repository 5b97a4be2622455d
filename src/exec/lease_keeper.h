#pragma once
// LeaseKeeper: the concurrency slots of commands under way, held in counters shared with other
// nodes until each command ends. There a slot is a lease that lapses unless renewed, so that a
// node killed with -9 gives its slots back; renew_all(), which one timer calls every third of
// the lease's term, renews every lease held, however many commands hold one.
//
// Ownership: borrows the counters and the clock, which must outlive it; a Held must not
// outlive its keeper.
// Threads: any thread may call any method; a Held is used by one thread at a time.
//
// Example:
//   LeaseKeeper::Held held = keeper.hold(answer.decision.lease);  // admitted
//   ... the command runs; a timer calls keeper.renew_all() every ttl / 3 ...
//   held.release();                                               // it ended

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "core/clock.h"
#include "core/counter_backend.h"
#include "core/decision.h"
#include "core/mutex.h"

namespace gaia::exec {

class LeaseKeeper {
 public:
  // One lease, renewed until it is given back by release() or on destruction. Empty (default,
  // or moved from): nothing held.
  class Held {
   public:
    Held() = default;
    Held(Held&& other) noexcept;
    Held& operator=(Held&& other) noexcept;
    ~Held() { release(); }

    // Gives the slots back at once; later calls do nothing.
    void release();

   private:
    friend class LeaseKeeper;
    Held(LeaseKeeper* keeper, uint64_t token) : keeper_(keeper), token_(token) {}

    LeaseKeeper* keeper_ = nullptr;
    uint64_t token_ = 0;
  };

  LeaseKeeper(core::CounterBackend& counters, const core::Clock& clock)
      : counters_(counters), clock_(clock) {}
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Holds `lease`, taken by an admitted check; a lease of no slots holds nothing.
  [[nodiscard]] Held hold(const core::Lease& lease);
  // Renews every lease held, now. A renewal lost on the way is made good by the next.
  void renew_all();
  // How many leases are held.
  size_t held() const;

 private:
  void give_back(uint64_t token);

  core::CounterBackend& counters_;
  const core::Clock& clock_;
  mutable core::Mutex mu_;
  std::unordered_map<uint64_t, core::Lease> leases_ GUARDED_BY(mu_);
  uint64_t next_token_ GUARDED_BY(mu_) = 0;
};

}  // namespace gaia::exec
