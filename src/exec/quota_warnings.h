#pragma once
// QuotaWarnings: tells a caller, once per threshold and period, that an admission took one of
// their calendar quotas past a warning threshold (the rule's "warn_at", else the caller's
// tier's, default 80 % and 95 %), so the first sign of a quota running out is not the
// refusal. A refusal never warns.
//
// Memory is bounded: a record per (principal, limit) warned this period, dropped once the
// period is over; at kMaxRecords live records new warnings are skipped rather than grown.
//
// Threads: any; passed() takes a short lock, only for an admission already past the lowest
// threshold.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/decision.h"
#include "core/mutex.h"
#include "core/rule.h"

namespace gaia::exec {

// One warning: `state` is the limit after the admission.
struct QuotaWarning {
  core::LimitState state;
  uint8_t threshold_pct = 0;  // the highest threshold the admission reached
};

class QuotaWarnings {
 public:
  static constexpr size_t kMaxRecords = 100'000;
  // Per tier, the thresholds of limits whose rule sets none.
  using TierThresholds = std::array<core::WarnThresholds, core::kTierCount>;
  static constexpr TierThresholds kDefaultTierThresholds = {
      core::kDefaultWarnPct, core::kDefaultWarnPct, core::kDefaultWarnPct};

  explicit QuotaWarnings(const TierThresholds& tiers = kDefaultTierThresholds) : tiers_(tiers) {}

  // The warning due for an admission of `principal` that left `state`, or nullopt: not a
  // calendar quota, below its lowest threshold, or that threshold already told this period.
  // Reaching several thresholds at once warns once, for the highest.
  std::optional<QuotaWarning> passed(const core::Principal& principal,
                                     const core::LimitState& state, int64_t wall_ms);

 private:
  // (user, key for a key's own limit else 0, rule, type, period)
  using Key = std::tuple<uint64_t, uint64_t, uint64_t, uint16_t, uint8_t>;
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Record {
    int64_t period_end_ms = 0;
    uint8_t warned_pct = 0;  // the highest threshold told this period
  };
  void drop_ended(int64_t wall_ms) REQUIRES(mu_);

  const TierThresholds tiers_;
  core::Mutex mu_;
  std::unordered_map<Key, Record, KeyHash> records_ GUARDED_BY(mu_);
};

}  // namespace gaia::exec
