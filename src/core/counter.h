#pragma once
// The counters of one subject (a user, or an API key) for one command type, kept together in
// a 96-byte block (two cache lines at most) so that a check finds one block however many
// limits apply; 100,000 principals' blocks take 9.6 MB, which the cache mostly holds.
// Not thread-safe: the limiter's shard lock guards it.
//
// A block holds a calendar quota per period, a concurrency count and one sliding window.
// A second window of the same (subject, type) lives in a block of its own, keyed by its width.
//
// Sliding windows are split into kBuckets buckets of width ceil(W / (kBuckets - 1)); a check
// counts every bucket still in the ring, which always covers at least the last W ms, so the
// window never admits more than its limit (see docs/limiter.md).

#include <cstdint>
#include <cstring>

#include "core/policy.h"

namespace gaia::core {

struct BlockKey {
  uint64_t scope;  // user id, or key id with kKeyScope set
  uint64_t group;  // command type (or kAnyType), and for a window's own block its width

  static constexpr uint64_t kKeyScope = uint64_t{1} << 63;

  // The block that holds `limit`'s counter for `principal`, unless it is a window that did
  // not get the shared block's window (see window_block()).
  static BlockKey for_limit(const CompiledLimit& limit, const Principal& principal) {
    uint64_t scope =
        limit.level == SubjectKind::kKey ? (principal.key | kKeyScope) : principal.user;
    return {scope, limit.type};
  }
  // The own block of a window of width `window_ms` in the group of `shared`.
  static BlockKey window_block(const BlockKey& shared, int64_t window_ms) {
    return {shared.scope, shared.group | (static_cast<uint64_t>(window_ms) << 16)};
  }
  bool operator==(const BlockKey&) const = default;
};

struct BlockKeyHash {
  using is_avalanching = void;
  using is_transparent = void;
  size_t operator()(const BlockKey& k) const {
    uint64_t x = (k.scope ^ (k.group * 0xC2B2AE3D27D4EB4Full)) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 32;
    x *= 0xD6E8FEB86659FD93ull;
    return static_cast<size_t>(x ^ (x >> 32));
  }
};

class RateWindow {
 public:
  static constexpr int kBuckets = 8;

  static int64_t bucket_width_ms(int64_t window_ms) {
    return (window_ms + kBuckets - 2) / (kBuckets - 1);
  }

  // The window's width; 0 while no limit has claimed it.
  int64_t window_ms() const { return window_ms_; }
  void claim(int64_t window_ms) { window_ms_ = window_ms; }
  uint32_t used() const { return total_; }

  // Drops buckets that left the ring by `now_ms`.
  void advance(int64_t now_ms) {
    int64_t index = now_ms / bucket_ms();
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
  void add(uint32_t cost) {
    buckets_[stamp_ & (kBuckets - 1)] += cost;
    total_ += cost;
  }
  // Counts `cost` units used at `at_ms` (<= now_ms) in the bucket of that time, as if they
  // had been added then: how usage from before a restart comes back. Units whose bucket
  // already left the ring by `now_ms` are dropped; the total stops at its largest value.
  void restore(int64_t at_ms, int64_t now_ms, uint32_t cost) {
    advance(now_ms);
    const int64_t width = bucket_ms();
    // Floor division: a time before the monotonic clock's zero is a negative index.
    const int64_t index = at_ms >= 0 ? at_ms / width : -((-at_ms + width - 1) / width);
    if (index > stamp_ || index <= stamp_ - kBuckets) return;
    // Every bucket's units stay in the total, so that advance() can take them out again.
    const uint32_t room = UINT32_MAX - total_;
    const uint32_t added = cost < room ? cost : room;
    buckets_[index & (kBuckets - 1)] += added;
    total_ += added;
  }
  // Ms until enough old buckets leave the ring that `cost` more fits under `limit`
  // (0: fits now); -1 if it never fits. Bucket j leaves when bucket j + kBuckets begins.
  int64_t retry_after(int64_t now_ms, uint32_t limit, uint32_t cost) const {
    if (cost > limit) return -1;
    uint64_t counted = total_;
    if (counted + cost <= limit) return 0;
    for (int64_t j = stamp_ - kBuckets + 1; j <= stamp_; ++j) {
      counted -= buckets_[j & (kBuckets - 1)];
      if (counted + cost <= limit) return (j + kBuckets) * bucket_ms() - now_ms;
    }
    return -1;
  }
  // Ms until every counted unit has left the window.
  int64_t reset(int64_t now_ms) const {
    return total_ == 0 ? 0 : (stamp_ + kBuckets) * bucket_ms() - now_ms;
  }
  bool idle(int64_t now_ms) const {
    return total_ == 0 || window_ms_ == 0 || (stamp_ + kBuckets) * bucket_ms() <= now_ms;
  }
  // Empty, its width kept: the limit that claimed it keeps it.
  void clear() {
    stamp_ = 0;
    total_ = 0;
    std::memset(buckets_, 0, sizeof(buckets_));
  }

 private:
  int64_t bucket_ms() const { return bucket_width_ms(window_ms_); }

  int64_t window_ms_ = 0;
  int64_t stamp_ = 0;  // newest bucket index
  uint32_t total_ = 0;
  uint32_t buckets_[kBuckets] = {};
};

// A calendar quota: the end of its period identifies the period; a new period starts from
// zero. The end is kept in whole seconds (a period ends at a local midnight, on a whole
// second; any other end is rounded up), to 2106.
struct PeriodCount {
  uint32_t end_s = 0;  // 0: unused
  uint32_t used = 0;

  int64_t end_ms() const { return int64_t{end_s} * 1000; }
  void enter(int64_t period_end_ms) {
    const auto s = static_cast<uint32_t>((period_end_ms + 999) / 1000);
    if (end_s != s) {
      end_s = s;
      used = 0;
    }
  }
};

struct BlockCounters {
  // The window's tail padding holds `running`: the counters take 80 bytes, not 88.
  [[no_unique_address]] RateWindow window;
  uint32_t running = 0;    // concurrency
  PeriodCount periods[3];  // by CalendarPeriod

  // Counters that still hold something a check must see.
  int live_count(int64_t mono_ms, int64_t wall_ms) const {
    int live = (running > 0) + !window.idle(mono_ms);
    for (const PeriodCount& p : periods) live += p.end_ms() > wall_ms;
    return live;
  }
};

struct alignas(32) CounterBlock {
  BlockKey key;
  BlockCounters counters;
};
static_assert(sizeof(BlockCounters) == 80);
static_assert(sizeof(CounterBlock) == 96);

// A table of block pointers, looked up by key.
struct CounterBlockHash : BlockKeyHash {
  using BlockKeyHash::operator();
  size_t operator()(const CounterBlock* b) const { return (*this)(b->key); }
};
struct CounterBlockEqual {
  using is_transparent = void;
  static const BlockKey& key(const BlockKey& k) { return k; }
  static const BlockKey& key(const CounterBlock* b) { return b->key; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return key(a) == key(b);
  }
};

}  // namespace gaia::core
