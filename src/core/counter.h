#pragma once
// One limit's state for one subject: 48 bytes, fixed size, kept in the limiter's flat tables.
// Not thread-safe: the limiter's shard lock guards it.
//
// Sliding windows are split into kBuckets buckets of width ceil(W / (kBuckets - 1)); a check
// counts every bucket still in the ring, which always covers at least the last W ms, so the
// window never admits more than its limit (see docs/limiter.md).

#include <cstdint>
#include <cstring>

#include "core/policy.h"

namespace gaia::core {

// Identifies a counter: whose (a user, or a key for key-level limits) and which slot.
// Trivial (no member initialisers), so the check path's key arrays cost nothing to declare.
struct CounterKey {
  uint64_t scope;  // user id, or key id with kKeyScope set
  uint64_t slot;   // type(16) | kind(4) | window ms or calendar period(44)

  static constexpr uint64_t kKeyScope = uint64_t{1} << 63;

  static CounterKey for_limit(const CompiledLimit& limit, const Principal& principal) {
    uint64_t scope =
        limit.level == SubjectKind::kKey ? (principal.key | kKeyScope) : principal.user;
    uint64_t span = limit.kind == LimitKind::kRate ? static_cast<uint64_t>(limit.window_ms)
                                                   : static_cast<uint64_t>(limit.period);
    uint64_t slot = (uint64_t{limit.type} << 48) |
                    (uint64_t{static_cast<uint8_t>(limit.kind)} << 44) |
                    (span & ((uint64_t{1} << 44) - 1));
    return {scope, slot};
  }
  bool operator==(const CounterKey&) const = default;
};

// The table places an element by the hash's high bits and filters by its low byte, so the
// high bits come from the scope alone: all counters of one subject share a slot group, and a
// check that meets several of them touches neighbouring memory.
struct CounterKeyHash {
  using is_avalanching = void;
  static uint64_t mix(uint64_t x) {
    x *= 0x9E3779B97F4A7C15ull;
    x ^= x >> 32;
    x *= 0xD6E8FEB86659FD93ull;
    return x ^ (x >> 32);
  }
  size_t operator()(const CounterKey& k) const {
    return static_cast<size_t>((mix(k.scope) & ~uint64_t{0xFF}) | (mix(k.slot) & 0xFF));
  }
};

class Counter {
 public:
  static constexpr int kBuckets = 8;

  static int64_t bucket_width_ms(int64_t window_ms) {
    return (window_ms + kBuckets - 2) / (kBuckets - 1);
  }

  uint32_t used() const { return total_; }

  // Sliding window: drops buckets that left the ring by `now_ms`.
  void advance_window(int64_t bucket_ms, int64_t now_ms) {
    int64_t index = now_ms / bucket_ms;
    if (index <= stamp_) return;
    if (total_ == 0 || index - stamp_ >= kBuckets) {
      std::memset(buckets_, 0, sizeof(buckets_));
      total_ = 0;
    } else {
      for (int64_t j = stamp_ + 1; j <= index; ++j) {
        total_ -= buckets_[j & (kBuckets - 1)];
        buckets_[j & (kBuckets - 1)] = 0;
      }
    }
    stamp_ = index;
  }
  void add_to_window(uint32_t cost) {
    buckets_[stamp_ & (kBuckets - 1)] += cost;
    total_ += cost;
  }
  // Ms until enough old buckets leave the ring that `cost` more fits under `limit`
  // (0: fits now); -1 if it never fits. Bucket j leaves when bucket j + kBuckets begins.
  int64_t window_retry_after(int64_t bucket_ms, int64_t now_ms, uint32_t limit,
                             uint32_t cost) const {
    if (cost > limit) return -1;
    uint64_t counted = total_;
    if (counted + cost <= limit) return 0;
    for (int64_t j = stamp_ - kBuckets + 1; j <= stamp_; ++j) {
      counted -= buckets_[j & (kBuckets - 1)];
      if (counted + cost <= limit) return (j + kBuckets) * bucket_ms - now_ms;
    }
    return -1;
  }
  // Ms until every counted unit has left the window.
  int64_t window_reset(int64_t bucket_ms, int64_t now_ms) const {
    return total_ == 0 ? 0 : (stamp_ + kBuckets) * bucket_ms - now_ms;
  }
  bool window_idle(int64_t bucket_ms, int64_t now_ms) const {
    return total_ == 0 || (stamp_ + kBuckets) * bucket_ms <= now_ms;
  }

  // Calendar quota: `period_end_ms` identifies the period; a new period starts from zero.
  void enter_period(int64_t period_end_ms) {
    if (stamp_ != period_end_ms) {
      stamp_ = period_end_ms;
      total_ = 0;
    }
  }
  int64_t period_end() const { return stamp_; }

  // Calendar quota and concurrency: plain counts.
  void add(uint32_t cost) { total_ += cost; }
  void subtract(uint32_t cost) { total_ = cost > total_ ? 0 : total_ - cost; }

 private:
  int64_t stamp_ = 0;  // window: newest bucket index; calendar: period end (wall ms)
  uint32_t total_ = 0;
  uint32_t buckets_[kBuckets] = {};
};
static_assert(sizeof(Counter) == 48);

}  // namespace gaia::core
