#pragma once
// The limiter: evaluates every limit that applies to (principal, command type) atomically, in
// memory, without I/O or allocation on the common path. Counters are sharded by user, one lock
// and one flat table per shard, so all counters a check touches sit under one lock; the
// counters of one (subject, command type) share a block (core/counter.h), which lives in the
// limiter's arena at a fixed address and which the shard's table indexes by pointer.
// Thread-safe: any thread may call any method.
//
// Example:
//   Limiter limiter(rules, {});
//   Decision d = limiter.check({alice, shell, 1}, clock.now());
//   if (d.allowed) { run(); limiter.release(d.lease); }

#include <array>
#include <atomic>
#include <boost/unordered/unordered_flat_set.hpp>
#include <memory>
#include <span>
#include <vector>

#include "core/block_arena.h"
#include "core/clock.h"
#include "core/counter.h"
#include "core/decision.h"
#include "core/mutex.h"
#include "core/rule_set.h"

namespace gaia::core {

struct CheckRequest {
  Principal principal;
  CommandTypeId type = 0;
  uint32_t cost = 1;
};

struct LimiterOptions {
  size_t max_blocks = 1'000'000;  // across all shards; 96 bytes each, plus the index
  // A refused concurrency limit has no known free time; clients are told to retry after this.
  int64_t concurrency_retry_after_ms = 1000;
};

// A limit of one command type, as a quota status shows it.
struct QuotaLine {
  CommandTypeId type = kAnyType;
  LimitState state;
};

// The enforced limits of `principal`, for every command type of `rules`, each counter once
// (limits over every type, and a key's limits beside its user's, would repeat), with only
// their `limit` and `type` set: the lines a quota status shows, in its order.
std::vector<QuotaLine> quota_limits(const RuleSet& rules, const Principal& principal);

class Limiter {
 public:
  static constexpr int kShards = 64;

  Limiter(std::shared_ptr<const RuleSet> rules, LimiterOptions options);
  Limiter(const Limiter&) = delete;
  Limiter& operator=(const Limiter&) = delete;

  // Admits `req` iff every enforced limit has room for req.cost, consuming it from each;
  // a refusal takes nothing. REQUIRES: req.type is a type of the current rule set.
  Decision check(const CheckRequest& req, Instant now);

  // Per tier, the lowest warning threshold (percent) of a calendar quota whose rule sets
  // none of its own, 0 for a tier never warned; default 80 for each. An admission lists each
  // calendar quota at or past its lowest threshold in Decision::calendar. Set by the check
  // that gives the warnings (exec::QuotaCheck) before the first check.
  void set_warn_from(const std::array<uint8_t, kTierCount>& pct) { warn_from_pct_ = pct; }

  // Counts req.cost, used at wall time `at_ms`, against every calendar quota of
  // (principal, type) whose current period contains `at_ms` and every rate window that still
  // covers `at_ms`, without checking room: how usage recorded before a restart comes back.
  // A window counts the units as checks at `at_ms` would have (the monotonic time of use is
  // `now` less their age), so the caller passes the latest time they may have been used.
  // Counters stop at their largest value.
  void restore(const CheckRequest& req, int64_t at_ms, Instant now);

  // Gives back the concurrency slots of an admitted check. Idempotence is the caller's.
  void release(const Lease& lease);

  // Forgets the usage of user `user` and of its keys `keys`: every calendar quota and rate
  // window of theirs starts again from zero, for every command type. Running commands keep
  // their concurrency slots (they are given back by release() as usual). Returns the number
  // of counter blocks cleared. A check racing with the reset sees the counters either
  // before or after it, never half-cleared: all of a user's blocks sit in its one shard
  // (keys' blocks too, since the shard is chosen by the principal's user) and the reset
  // holds that shard's lock throughout.
  size_t reset_user(UserId user, std::span<const KeyId> keys);

  // Every enforced limit that applies to `principal`, for every command type.
  std::vector<QuotaLine> quota_status(const Principal& principal, Instant now);

  // Swaps the rules; the next check of every shard uses them. Counters carry over.
  void set_rules(std::shared_ptr<const RuleSet> rules);
  // The rules now. Each thread holds them through a reference count of its own, renewed when
  // they change: threads that ask on every check never count on one shared cache line.
  std::shared_ptr<const RuleSet> rules() const;

  // Drops the idle counter blocks of one shard (rotating); call from a background chore.
  // Returns the number of blocks dropped.
  size_t sweep(Instant now);

  // Counters that hold usage (a block holds up to five).
  size_t counter_count(Instant now) const;
  size_t memory_bytes() const;

 private:
  using Table = boost::unordered_flat_set<CounterBlock*, CounterBlockHash, CounterBlockEqual>;
  class BlockCursor;
  struct PeriodCache {
    std::array<Period, 3> periods{};  // by CalendarPeriod
  };
  struct alignas(64) Shard {
    mutable Mutex mu;
    Table blocks GUARDED_BY(mu);
    std::shared_ptr<const RuleSet> rules GUARDED_BY(mu);
    PeriodCache calendar GUARDED_BY(mu);
  };

  // `now` in the milliseconds counters keep, converted once per call.
  struct NowMs {
    explicit NowMs(Instant now) : mono(to_ms(now.mono)), wall(to_ms(now.wall)) {}
    int64_t mono;
    int64_t wall;
  };

  Shard& shard_for(UserId user) const;
  static const Period& period(Shard& shard, CalendarPeriod p, int64_t wall_ms) REQUIRES(shard.mu);
  // The block that holds `limit`'s counter, whose shared block (of `key`) is `shared` if
  // known, else looked up and stored there. Creates blocks when `create` (else returns
  // nullptr when there is none). A rate limit claims its shared block's window when free.
  CounterBlock* block_for(Table& table, const CompiledLimit& limit, const BlockKey& key,
                          CounterBlock*& shared, bool create);
  CounterBlock* find_or_add(Table& table, const BlockKey& key, bool create);
  [[gnu::noinline]] CounterBlock* add(Table& table, const BlockKey& key);
  // Brings `limit`'s counter in `counters` up to `now` and returns ms until `cost` more fits
  // (0: fits now; -1: never).
  int64_t refresh(Shard& shard, const CompiledLimit& limit, BlockCounters& counters, uint32_t cost,
                  NowMs now) const REQUIRES(shard.mu);
  // The reportable state of a refreshed counter.
  static LimitState state_of(const CompiledLimit& limit, const BlockCounters& counters,
                             int64_t retry_after_ms, NowMs now);
  size_t sweep_shard(Shard& shard, Instant now) REQUIRES(shard.mu);
  // Whether a calendar quota `used` after an admission has reached the lowest warning
  // threshold it has (its rule's, else the tier's): the one check an admission pays for
  // warnings.
  bool may_warn(const CompiledLimit& limit, Tier tier, uint32_t used) const {
    const uint8_t from = limit.warn_pct[0] == kWarnFromTier ? warn_from_pct_[static_cast<int>(tier)]
                                                            : limit.warn_pct[0];
    return from != 0 && uint64_t{used} * 100 >= uint64_t{from} * limit.amount;
  }

  LimiterOptions options_;
  std::array<uint8_t, kTierCount> warn_from_pct_{kDefaultWarnPct[0], kDefaultWarnPct[0],
                                                 kDefaultWarnPct[0]};
  BlockArena arena_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint32_t> sweep_cursor_{0};
  // Which rules set_rules() gave last, unique in the process: what rules() holds per thread is
  // good while it is the same.
  std::atomic<uint64_t> rules_version_{0};
};

}  // namespace gaia::core
