#pragma once
// QuotaWarnings: tells a caller that an admission took one of their calendar quotas past a
// warning threshold (the rule's "warn_at", else the caller's tier's, default 80 % and 95 %),
// so the first sign of a quota running out is not the refusal. A refusal never warns.
//
// The admission that crosses a threshold is the one told: the counters order the admissions
// of a quota (one node's limiter under its lock, or Redis for every node that shares it), so
// exactly one admission a period takes the share used from below a threshold to it or past,
// and each threshold is told once per period whichever node admits, with nothing to remember.
//
// Threads: any; pure.

#include <array>
#include <cstdint>
#include <optional>

#include "core/decision.h"
#include "core/rule.h"

namespace gaia::exec {

// One warning: `state` is the limit after the admission.
struct QuotaWarning {
  core::LimitState state;
  uint8_t threshold_pct = 0;  // the highest threshold the admission crossed
};

class QuotaWarnings {
 public:
  // Per tier, the thresholds of limits whose rule sets none.
  using TierThresholds = std::array<core::WarnThresholds, core::kTierCount>;
  static constexpr TierThresholds kDefaultTierThresholds = {
      core::kDefaultWarnPct, core::kDefaultWarnPct, core::kDefaultWarnPct};

  explicit QuotaWarnings(const TierThresholds& tiers = kDefaultTierThresholds) : tiers_(tiers) {}

  // The warning due for an admission of `cost` units by `principal` that left `state`, or
  // nullopt: not a calendar quota, or no threshold crossed (the share used before the
  // admission below it, after it at or past it). Crossing several at once warns once, for
  // the highest.
  std::optional<QuotaWarning> crossed(const core::Principal& principal,
                                      const core::LimitState& state, uint32_t cost) const;

 private:
  const TierThresholds tiers_;
};

}  // namespace gaia::exec
