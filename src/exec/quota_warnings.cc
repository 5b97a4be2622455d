#include "exec/quota_warnings.h"

#include <algorithm>

namespace gaia::exec {

std::optional<QuotaWarning> QuotaWarnings::crossed(const core::Principal& principal,
                                                   const core::LimitState& state,
                                                   uint32_t cost) const {
  const core::CompiledLimit& limit = state.limit;
  if (limit.kind != core::LimitKind::kCalendar || limit.amount == 0) return std::nullopt;
  const core::WarnThresholds& thresholds = limit.warn_pct[0] == core::kWarnFromTier
                                               ? tiers_[static_cast<int>(principal.tier)]
                                               : limit.warn_pct;
  // In integers: a threshold pct is reached once used / amount >= pct / 100.
  const uint64_t after = uint64_t{state.used} * 100;
  const uint64_t before = uint64_t{state.used - std::min(state.used, cost)} * 100;
  uint8_t highest = 0;
  for (uint8_t pct : thresholds) {
    if (pct == 0) break;
    const uint64_t at = uint64_t{pct} * limit.amount;
    if (before < at && at <= after) highest = pct;
  }
  if (highest == 0) return std::nullopt;
  return QuotaWarning{state, highest};
}

}  // namespace gaia::exec
