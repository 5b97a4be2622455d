#include "core/limiter.h"

#include <algorithm>
#include <mutex>

namespace gaia::core {
namespace {

LimitKind slot_kind(const CounterKey& key) {
  return static_cast<LimitKind>((key.slot >> 44) & 0xF);
}
int64_t slot_span(const CounterKey& key) {
  return static_cast<int64_t>(key.slot & ((uint64_t{1} << 44) - 1));
}

void set_remaining(LimitState& state, uint32_t used) {
  state.used = used;
  state.remaining = used >= state.limit.amount ? 0 : state.limit.amount - used;
}

// -1 ("never") sorts after every finite wait.
bool frees_later(int64_t a, int64_t b) { return b >= 0 && (a < 0 || a > b); }

}  // namespace

Limiter::Limiter(std::shared_ptr<const RuleSet> rules, LimiterOptions options)
    : options_(options), shards_(new Shard[kShards]) {
  set_rules(std::move(rules));
}

Limiter::Shard& Limiter::shard_for(UserId user) const {
  uint64_t x = user * 0x9E3779B97F4A7C15ull;
  return shards_[(x >> 58) & (kShards - 1)];
}

void Limiter::set_rules(std::shared_ptr<const RuleSet> rules) {
  for (int i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    shards_[i].rules = rules;
    shards_[i].calendar = PeriodCache{};  // the time zone may have changed
  }
}

std::shared_ptr<const RuleSet> Limiter::rules() const {
  std::lock_guard lock(shards_[0].mu);
  return shards_[0].rules;
}

const Period& Limiter::period(Shard& shard, CalendarPeriod p, int64_t wall_ms) {
  Period& cached = shard.calendar.periods[static_cast<int>(p)];
  // Rare path: once per period per shard, or when the wall clock steps back.
  if (!cached.contains(wall_ms)) cached = shard.rules->calendar().period_at(p, wall_ms);
  return cached;
}

int64_t Limiter::refresh(Shard& shard, const CompiledLimit& limit, Counter& counter, uint32_t cost,
                         Instant now) const {
  switch (limit.kind) {
    case LimitKind::kRate: {
      int64_t bucket_ms = Counter::bucket_width_ms(limit.window_ms);
      int64_t now_ms = to_ms(now.mono);
      counter.advance_window(bucket_ms, now_ms);
      return counter.window_retry_after(bucket_ms, now_ms, limit.amount, cost);
    }
    case LimitKind::kCalendar: {
      int64_t wall_ms = to_ms(now.wall);
      const Period& p = period(shard, limit.period, wall_ms);
      counter.enter_period(p.end_ms);
      if (uint64_t{counter.used()} + cost <= limit.amount) return 0;
      return cost > limit.amount ? -1 : p.end_ms - wall_ms;
    }
    case LimitKind::kConcurrency:
      if (uint64_t{counter.used()} + cost <= limit.amount) return 0;
      return cost > limit.amount ? -1 : options_.concurrency_retry_after_ms;
  }
  return -1;
}

LimitState Limiter::state_of(const CompiledLimit& limit, const Counter& counter,
                             int64_t retry_after_ms, Instant now) {
  LimitState state;
  state.limit = limit;
  state.retry_after_ms = retry_after_ms;
  set_remaining(state, counter.used());
  switch (limit.kind) {
    case LimitKind::kRate:
      state.reset_ms =
          counter.window_reset(Counter::bucket_width_ms(limit.window_ms), to_ms(now.mono));
      break;
    case LimitKind::kCalendar:
      state.reset_ms = counter.period_end() - to_ms(now.wall);
      break;
    case LimitKind::kConcurrency:
      break;
  }
  return state;
}

Decision Limiter::check(const CheckRequest& req, Instant now) {
  Shard& shard = shard_for(req.principal.user);
  std::lock_guard lock(shard.mu);

  // Only a principal with override rules writes here; thread_local keeps the common path
  // from initialising a Policy per check.
  static thread_local Policy scratch;
  const Policy& policy = shard.rules->resolve(req.principal, req.type, scratch);
  const int n = policy.size;

  Decision decision;
  decision.priority = req.principal.tier == Tier::kEnterprise;
  if (n == 0) return decision;

  Table& table = shard.counters;
  if (table.size() + n > options_.max_counters / kShards) {
    sweep_shard(shard, now);
    if (table.size() + n > options_.max_counters / kShards) {
      // Out of counter memory: refuse rather than forget usage.
      decision.allowed = false;
      decision.has_deciding = true;
      decision.deciding.limit = policy.limits[0];
      decision.deciding.retry_after_ms = options_.concurrency_retry_after_ms;
      return decision;
    }
  }

  CounterKey keys[kMaxLimitsPerPolicy];
  Counter* counters[kMaxLimitsPerPolicy];
  int64_t retry_after[kMaxLimitsPerPolicy];
  const size_t buckets_before = table.bucket_count();
  for (int i = 0; i < n; ++i) {
    keys[i] = CounterKey::for_limit(policy.limits[i], req.principal);
    counters[i] = &table.try_emplace(keys[i]).first->second;
  }
  // Flat-table elements move only on rehash: then look them up again.
  if (table.bucket_count() != buckets_before) {
    for (int i = 0; i < n; ++i) counters[i] = &table.find(keys[i])->second;
  }

  int refusing = -1;
  for (int i = 0; i < n; ++i) {
    retry_after[i] = refresh(shard, policy.limits[i], *counters[i], req.cost, now);
    bool enforced = policy.limits[i].enforcement == Enforcement::kEnforce;
    if (enforced && retry_after[i] != 0 &&
        (refusing < 0 || frees_later(retry_after[i], retry_after[refusing]))) {
      refusing = i;
    }
  }

  auto note_shadow = [&](int i) {
    if (decision.shadow_refusals < Decision::kMaxShadow) {
      decision.shadow[decision.shadow_refusals++] =
          state_of(policy.limits[i], *counters[i], retry_after[i], now);
    }
  };

  if (refusing >= 0) {
    decision.allowed = false;
    decision.has_deciding = true;
    decision.deciding =
        state_of(policy.limits[refusing], *counters[refusing], retry_after[refusing], now);
    for (int i = 0; i < n; ++i) {
      if (policy.limits[i].enforcement == Enforcement::kShadow && retry_after[i] != 0) {
        note_shadow(i);
      }
    }
    return decision;
  }

  decision.lease.user = req.principal.user;
  decision.lease.cost = req.cost;
  int nearest = -1;
  uint32_t nearest_remaining = 0;
  for (int i = 0; i < n; ++i) {
    const CompiledLimit& limit = policy.limits[i];
    if (retry_after[i] != 0) {  // only a shadow limit can get here
      note_shadow(i);
      continue;
    }
    Counter& counter = *counters[i];
    switch (limit.kind) {
      case LimitKind::kRate:
        counter.add_to_window(req.cost);
        break;
      case LimitKind::kCalendar:
        counter.add(req.cost);
        break;
      case LimitKind::kConcurrency:
        if (decision.lease.count == Lease::kMaxSlots) continue;  // never taken, never released
        counter.add(req.cost);
        decision.lease.keys[decision.lease.count++] = keys[i];
        break;
    }
    uint32_t remaining = limit.amount - std::min(limit.amount, counter.used());
    if (limit.enforcement == Enforcement::kEnforce &&
        (nearest < 0 || remaining < nearest_remaining)) {
      nearest = i;
      nearest_remaining = remaining;
    }
  }
  if (nearest >= 0) {
    decision.has_deciding = true;
    decision.deciding = state_of(policy.limits[nearest], *counters[nearest], 0, now);
  }
  return decision;
}

void Limiter::release(const Lease& lease) {
  if (lease.count == 0) return;
  Shard& shard = shard_for(lease.user);
  std::lock_guard lock(shard.mu);
  for (int i = 0; i < lease.count; ++i) {
    auto it = shard.counters.find(lease.keys[i]);
    if (it != shard.counters.end()) it->second.subtract(lease.cost);
  }
}

std::vector<QuotaLine> Limiter::quota_status(const Principal& principal, Instant now) {
  Shard& shard = shard_for(principal.user);
  std::lock_guard lock(shard.mu);
  const RuleSet& rules = *shard.rules;
  std::vector<QuotaLine> lines;
  std::vector<CounterKey> seen;
  Policy scratch;
  for (size_t t = 0; t < rules.command_types().size(); ++t) {
    auto type = static_cast<CommandTypeId>(t);
    for (const CompiledLimit& limit : rules.resolve(principal, type, scratch)) {
      if (limit.enforcement != Enforcement::kEnforce) continue;
      CounterKey key = CounterKey::for_limit(limit, principal);
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      auto it = shard.counters.find(key);
      Counter fresh;
      Counter& counter = it != shard.counters.end() ? it->second : fresh;
      int64_t retry_after_ms = refresh(shard, limit, counter, 1, now);
      lines.push_back({limit.type, state_of(limit, counter, retry_after_ms, now)});
    }
  }
  return lines;
}

size_t Limiter::sweep_shard(Shard& shard, Instant now) {
  const int64_t mono_ms = to_ms(now.mono);
  const int64_t wall_ms = to_ms(now.wall);
  return boost::unordered::erase_if(shard.counters, [&](const Table::value_type& entry) {
    const Counter& counter = entry.second;
    switch (slot_kind(entry.first)) {
      case LimitKind::kRate:
        return counter.window_idle(Counter::bucket_width_ms(slot_span(entry.first)), mono_ms);
      case LimitKind::kCalendar:
        return counter.period_end() <= wall_ms;
      case LimitKind::kConcurrency:
        return counter.used() == 0;
    }
    return false;
  });
}

size_t Limiter::sweep(Instant now) {
  Shard& shard = shards_[sweep_cursor_.fetch_add(1, std::memory_order_relaxed) % kShards];
  std::lock_guard lock(shard.mu);
  return sweep_shard(shard, now);
}

size_t Limiter::counter_count() const {
  size_t total = 0;
  for (int i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].counters.size();
  }
  return total;
}

size_t Limiter::memory_bytes() const {
  // A flat table holds its slots inline plus 16 bytes of metadata per group of 15 slots.
  size_t total = sizeof(*this) + sizeof(Shard) * kShards;
  for (int i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    size_t slots = shards_[i].counters.bucket_count();
    total += slots * sizeof(Table::value_type) + (slots + 14) / 15 * 16;
  }
  return total;
}

}  // namespace gaia::core
