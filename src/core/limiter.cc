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

LimitState Limiter::evaluate(Shard& shard, const CompiledLimit& limit, Counter& counter,
                             uint32_t cost, Instant now, int64_t concurrency_retry_ms) {
  LimitState state;
  state.limit = limit;
  switch (limit.kind) {
    case LimitKind::kRate: {
      int64_t bucket_ms = Counter::bucket_width_ms(limit.window_ms);
      int64_t now_ms = to_ms(now.mono);
      counter.advance_window(bucket_ms, now_ms);
      state.retry_after_ms = counter.window_retry_after(bucket_ms, now_ms, limit.amount, cost);
      state.reset_ms = counter.window_reset(bucket_ms, now_ms);
      break;
    }
    case LimitKind::kCalendar: {
      int64_t wall_ms = to_ms(now.wall);
      const Period& p = period(shard, limit.period, wall_ms);
      counter.enter_period(p.end_ms);
      state.reset_ms = p.end_ms - wall_ms;
      bool fits = uint64_t{counter.used()} + cost <= limit.amount;
      state.retry_after_ms = fits ? 0 : (cost > limit.amount ? -1 : state.reset_ms);
      break;
    }
    case LimitKind::kConcurrency: {
      bool fits = uint64_t{counter.used()} + cost <= limit.amount;
      state.retry_after_ms = fits ? 0 : (cost > limit.amount ? -1 : concurrency_retry_ms);
      break;
    }
  }
  set_remaining(state, counter.used());
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

  std::array<CounterKey, kMaxLimitsPerPolicy> keys;
  std::array<Counter*, kMaxLimitsPerPolicy> counters;
  const size_t buckets_before = table.bucket_count();
  for (int i = 0; i < n; ++i) {
    keys[i] = CounterKey::for_limit(policy.limits[i], req.principal);
    counters[i] = &table.try_emplace(keys[i]).first->second;
  }
  // Flat-table elements move only on rehash: then look them up again.
  if (table.bucket_count() != buckets_before) {
    for (int i = 0; i < n; ++i) counters[i] = &table.find(keys[i])->second;
  }

  std::array<LimitState, kMaxLimitsPerPolicy> states;
  int refusing = -1;
  for (int i = 0; i < n; ++i) {
    states[i] = evaluate(shard, policy.limits[i], *counters[i], req.cost, now,
                         options_.concurrency_retry_after_ms);
    bool enforced = policy.limits[i].enforcement == Enforcement::kEnforce;
    if (enforced && states[i].retry_after_ms != 0 &&
        (refusing < 0 || frees_later(states[i].retry_after_ms, states[refusing].retry_after_ms))) {
      refusing = i;
    }
  }

  auto note_shadow = [&decision](const LimitState& state) {
    if (decision.shadow_refusals < Decision::kMaxShadow) {
      decision.shadow[decision.shadow_refusals++] = state;
    }
  };

  if (refusing >= 0) {
    decision.allowed = false;
    decision.has_deciding = true;
    decision.deciding = states[refusing];
    for (int i = 0; i < n; ++i) {
      if (policy.limits[i].enforcement == Enforcement::kShadow && states[i].retry_after_ms != 0) {
        note_shadow(states[i]);
      }
    }
    return decision;
  }

  decision.lease.user = req.principal.user;
  decision.lease.cost = req.cost;
  int nearest = -1;
  for (int i = 0; i < n; ++i) {
    const CompiledLimit& limit = policy.limits[i];
    if (states[i].retry_after_ms != 0) {  // only a shadow limit can get here
      note_shadow(states[i]);
      continue;
    }
    Counter& counter = *counters[i];
    switch (limit.kind) {
      case LimitKind::kRate: counter.add_to_window(req.cost); break;
      case LimitKind::kCalendar: counter.add(req.cost); break;
      case LimitKind::kConcurrency:
        if (decision.lease.count == Lease::kMaxSlots) continue;  // never taken, never released
        counter.add(req.cost);
        decision.lease.keys[decision.lease.count++] = keys[i];
        break;
    }
    set_remaining(states[i], counter.used());
    if (limit.enforcement == Enforcement::kEnforce &&
        (nearest < 0 || states[i].remaining < states[nearest].remaining)) {
      nearest = i;
    }
  }
  if (nearest >= 0) {
    decision.has_deciding = true;
    decision.deciding = states[nearest];
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
      LimitState state = evaluate(shard, limit, counter, 1, now, options_.concurrency_retry_after_ms);
      lines.push_back({limit.type == kAnyType ? kAnyType : type, state});
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
      case LimitKind::kCalendar: return counter.period_end() <= wall_ms;
      case LimitKind::kConcurrency: return counter.used() == 0;
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
