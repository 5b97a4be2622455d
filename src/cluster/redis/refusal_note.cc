#include "cluster/redis/refusal_note.h"

#include <algorithm>

namespace gaia::cluster::redis {
namespace {

// Counts a noted wait down by `elapsed` ms (-1, "never", stays).
void count_down(core::LimitState& state, int64_t elapsed) {
  if (state.retry_after_ms > 0)
    state.retry_after_ms = std::max<int64_t>(1, state.retry_after_ms - elapsed);
  state.reset_ms = std::max<int64_t>(0, state.reset_ms - elapsed);
}

}  // namespace

size_t RefusalNote::KeyHash::operator()(const Key& k) const {
  uint64_t x = k.user * 0x9E3779B97F4A7C15ull;
  x ^= (k.key + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
  x ^= (uint64_t{k.type} << 48) ^ (uint64_t{k.limit_scale} << 32) ^ k.cost ^
       (uint64_t{static_cast<uint8_t>(k.tier)} << 40);
  x *= 0xD6E8FEB86659FD93ull;
  return static_cast<size_t>(x ^ (x >> 32));
}

RefusalNote::Key RefusalNote::key_of(const core::CheckRequest& req) {
  return {req.principal.user,        req.principal.key, req.principal.tier,
          req.principal.limit_scale, req.type,          req.cost};
}

std::optional<core::Decision> RefusalNote::find(const core::CheckRequest& req,
                                                const core::RuleSet* rules, int64_t mono_ms) {
  core::MutexLock lock(mu_);
  if (notes_.empty()) return std::nullopt;
  auto it = notes_.find(key_of(req));
  if (it == notes_.end()) return std::nullopt;
  const Entry& entry = it->second;
  if (entry.rules.get() != rules || mono_ms >= entry.until_ms || mono_ms < entry.asked_ms) {
    notes_.erase(it);
    return std::nullopt;
  }
  core::Decision d = entry.decision;
  const int64_t elapsed = mono_ms - entry.asked_ms;
  count_down(d.deciding, elapsed);
  for (int i = 0; i < d.shadow_refusals; ++i) {
    core::LimitState state = d.shadow[i];
    count_down(state, elapsed);
    d.shadow.set(i, state);
  }
  return d;
}

void RefusalNote::note(const core::CheckRequest& req, std::shared_ptr<const core::RuleSet> rules,
                       const core::Decision& refusal, int64_t asked_mono_ms) {
  if (refusal.allowed || !refusal.has_deciding) return;
  const core::LimitState& deciding = refusal.deciding;
  // A concurrency slot can come back at any moment (a release); only time frees the others.
  if (deciding.limit.kind == core::LimitKind::kConcurrency || deciding.retry_after_ms == 0) return;
  const int64_t wait =
      deciding.retry_after_ms < 0 ? max_ms_ : std::min(deciding.retry_after_ms, max_ms_);
  core::MutexLock lock(mu_);
  if (notes_.size() >= capacity_) {
    boost::unordered::erase_if(notes_,
                               [&](const auto& kv) { return kv.second.until_ms <= asked_mono_ms; });
    if (notes_.size() >= capacity_) return;
  }
  notes_.insert_or_assign(key_of(req),
                          Entry{std::move(rules), asked_mono_ms, asked_mono_ms + wait, refusal});
}

}  // namespace gaia::cluster::redis
