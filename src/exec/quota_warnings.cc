#include "exec/quota_warnings.h"

#include <functional>

namespace gaia::exec {

size_t QuotaWarnings::KeyHash::operator()(const Key& k) const {
  size_t h = std::hash<uint64_t>()(std::get<0>(k));
  for (uint64_t part :
       {std::get<1>(k), std::get<2>(k), uint64_t{std::get<3>(k)}, uint64_t{std::get<4>(k)}}) {
    h ^= std::hash<uint64_t>()(part) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

std::optional<QuotaWarning> QuotaWarnings::passed(const core::Principal& principal,
                                                  const core::LimitState& state, int64_t wall_ms) {
  const core::CompiledLimit& limit = state.limit;
  if (limit.kind != core::LimitKind::kCalendar || limit.amount == 0) return std::nullopt;
  // The highest threshold the share used has reached, in integers: used/amount >= pct/100.
  const core::WarnThresholds& thresholds = limit.warn_pct[0] == core::kWarnFromTier
                                               ? tiers_[static_cast<int>(principal.tier)]
                                               : limit.warn_pct;
  uint8_t reached = 0;
  for (uint8_t pct : thresholds) {
    if (pct == 0) break;
    if (uint64_t{state.used} * 100 >= uint64_t{pct} * limit.amount) reached = pct;
  }
  if (reached == 0) return std::nullopt;

  const Key key{principal.user, limit.level == core::SubjectKind::kKey ? principal.key : 0,
                limit.rule_id, limit.type, static_cast<uint8_t>(limit.period)};
  core::MutexLock lock(mu_);
  auto it = records_.find(key);
  if (it != records_.end() && it->second.period_end_ms <= wall_ms) {
    records_.erase(it);  // a new period: every threshold may be told again
    it = records_.end();
  }
  if (it == records_.end()) {
    if (records_.size() >= kMaxRecords) drop_ended(wall_ms);
    if (records_.size() >= kMaxRecords) return std::nullopt;
    it = records_.emplace(key, Record{wall_ms + state.reset_ms, 0}).first;
  }
  if (reached <= it->second.warned_pct) return std::nullopt;
  it->second.warned_pct = reached;
  return QuotaWarning{state, reached};
}

void QuotaWarnings::drop_ended(int64_t wall_ms) {
  std::erase_if(records_, [wall_ms](const auto& r) { return r.second.period_end_ms <= wall_ms; });
}

}  // namespace gaia::exec
