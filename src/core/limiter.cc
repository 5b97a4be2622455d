#include "core/limiter.h"

#include <algorithm>

#include "core/process_serial.h"
#include "core/saturating_add.h"

namespace gaia::core {
namespace {

void set_remaining(LimitState& state, uint32_t used) {
  state.used = used;
  state.remaining = used >= state.limit.amount ? 0 : state.limit.amount - used;
}

// -1 ("never") sorts after every finite wait.
bool frees_later(int64_t a, int64_t b) { return b >= 0 && (a < 0 || a > b); }

uint32_t used_of(const CompiledLimit& limit, const BlockCounters& counters) {
  switch (limit.kind) {
    case LimitKind::kRate:
      return counters.window.used();
    case LimitKind::kCalendar:
      return counters.periods[static_cast<int>(limit.period)].used;
    case LimitKind::kConcurrency:
      return counters.running;
  }
  return 0;
}

// Takes `cost` from `limit`'s counter; returns the counter's new usage.
uint32_t consume(const CompiledLimit& limit, BlockCounters& counters, uint32_t cost) {
  switch (limit.kind) {
    case LimitKind::kRate:
      counters.window.add(cost);
      return counters.window.used();
    case LimitKind::kCalendar:
      return counters.periods[static_cast<int>(limit.period)].used += cost;
    case LimitKind::kConcurrency:
      return counters.running += cost;
  }
  return 0;
}

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
    core::MutexLock lock(shards_[i].mu);
    shards_[i].rules = rules;
    shards_[i].calendar = PeriodCache{};  // the time zone may have changed
  }
  // After the rules: a thread that sees the new version reads the new rules.
  rules_version_.store(next_process_serial(), std::memory_order_release);
}

std::shared_ptr<const RuleSet> Limiter::rules() const {
  struct Held {
    const Limiter* limiter = nullptr;
    uint64_t version = 0;
    std::shared_ptr<const RuleSet> rules;
  };
  thread_local Held held;
  const uint64_t version = rules_version_.load(std::memory_order_acquire);
  if (held.limiter != this || held.version != version) {
    std::shared_ptr<const RuleSet> current;
    {
      core::MutexLock lock(shards_[0].mu);
      current = shards_[0].rules;
    }
    // Aliasing: the same rules, counted in a block of this thread's own that holds `current`.
    const RuleSet* rules = current.get();
    held = {this, version,
            std::shared_ptr<const RuleSet>(
                std::make_shared<std::shared_ptr<const RuleSet>>(std::move(current)), rules)};
  }
  return held.rules;
}

[[gnu::always_inline]] inline const Period& Limiter::period(Shard& shard, CalendarPeriod p,
                                                            int64_t wall_ms) {
  Period& cached = shard.calendar.periods[static_cast<int>(p)];
  // Rare path: once per period per shard, or when the wall clock steps back.
  if (!cached.contains(wall_ms)) cached = shard.rules->calendar().period_at(p, wall_ms);
  return cached;
}

[[gnu::always_inline]] inline CounterBlock* Limiter::find_or_add(Table& table, const BlockKey& key,
                                                                 bool create) {
  auto it = table.find(key);
  if (it != table.end()) {
    // The lookup fetched the block's first line to compare keys; the check reads both.
    __builtin_prefetch(reinterpret_cast<const char*>(*it) + 64);
    return *it;
  }
  return create ? add(table, key) : nullptr;
}

CounterBlock* Limiter::add(Table& table, const BlockKey& key) {
  CounterBlock* block = arena_.allocate(key);
  table.insert(block);
  return block;
}

inline CounterBlock* Limiter::block_for(Table& table, const CompiledLimit& limit,
                                        const BlockKey& key, CounterBlock*& shared, bool create) {
  if (shared == nullptr) shared = find_or_add(table, key, create);
  if (limit.kind != LimitKind::kRate) return shared;
  const int64_t claimed = shared ? shared->counters.window.window_ms() : 0;
  if (claimed == limit.window_ms) return shared;
  const BlockKey own_key = BlockKey::window_block(key, limit.window_ms);
  if (claimed == 0 && shared) {
    // A window that already has its own block keeps it: its usage lives there.
    auto own = table.find(own_key);
    if (own != table.end()) return *own;
    if (!create) return nullptr;
    shared->counters.window.claim(limit.window_ms);
    return shared;
  }
  CounterBlock* own = find_or_add(table, own_key, create);
  if (own) own->counters.window.claim(limit.window_ms);
  return own;
}

[[gnu::always_inline]] inline int64_t Limiter::refresh(Shard& shard, const CompiledLimit& limit,
                                                       BlockCounters& counters, uint32_t cost,
                                                       NowMs now) const {
  switch (limit.kind) {
    case LimitKind::kRate:
      counters.window.advance(now.mono);
      return counters.window.retry_after(now.mono, limit.amount, cost);
    case LimitKind::kCalendar: {
      const int64_t wall_ms = now.wall;
      const Period& p = period(shard, limit.period, wall_ms);
      PeriodCount& count = counters.periods[static_cast<int>(limit.period)];
      count.enter(p.end_ms);
      if (uint64_t{count.used} + cost <= limit.amount) return 0;
      return cost > limit.amount ? -1 : p.end_ms - wall_ms;
    }
    case LimitKind::kConcurrency:
      if (uint64_t{counters.running} + cost <= limit.amount) return 0;
      return cost > limit.amount ? -1 : options_.concurrency_retry_after_ms;
  }
  return -1;
}

LimitState Limiter::state_of(const CompiledLimit& limit, const BlockCounters& counters,
                             int64_t retry_after_ms, NowMs now) {
  LimitState state;
  state.limit = limit;
  state.retry_after_ms = retry_after_ms;
  set_remaining(state, used_of(limit, counters));
  switch (limit.kind) {
    case LimitKind::kRate:
      state.reset_ms = counters.window.reset(now.mono);
      break;
    case LimitKind::kCalendar:
      state.reset_ms = counters.periods[static_cast<int>(limit.period)].end_ms() - now.wall;
      break;
    case LimitKind::kConcurrency:
      break;
  }
  return state;
}

// Finds the blocks of a policy's limits in turn, creating them, and looks a block up once
// for a run of limits that share it (limits of one block usually sit next to each other).
class Limiter::BlockCursor {
 public:
  BlockCursor(Limiter& limiter, Table& table) : limiter_(limiter), table_(table) {}

  [[gnu::always_inline]] CounterBlock* next(const CompiledLimit& limit,
                                            const Principal& principal) {
    const BlockKey key = BlockKey::for_limit(limit, principal);
    if (shared_ == nullptr || !(key == key_)) {
      shared_ = limiter_.find_or_add(table_, key, true);
      key_ = key;
    }
    // Every limit counts in the shared block but a rate limit whose window another took.
    if (limit.kind != LimitKind::kRate || shared_->counters.window.window_ms() == limit.window_ms) {
      return shared_;
    }
    return limiter_.block_for(table_, limit, key, shared_, true);
  }

 private:
  Limiter& limiter_;
  Table& table_;
  CounterBlock* shared_ = nullptr;
  BlockKey key_{};
};

Decision Limiter::check(const CheckRequest& req, Instant now) {
  Shard& shard = shard_for(req.principal.user);
  core::MutexLock lock(shard.mu);

  // Only a principal with override rules writes here; thread_local keeps the common path
  // from initialising a Policy per check.
  static thread_local Policy scratch;
  const Policy& policy = shard.rules->resolve(req.principal, req.type, scratch);
  const int n = policy.size;

  Decision decision;
  decision.priority = req.principal.tier == Tier::kEnterprise;
  if (n == 0) return decision;

  Table& table = shard.blocks;
  const size_t capacity = options_.max_blocks / kShards;
  if (table.size() + n > capacity) {
    sweep_shard(shard, now);
    if (table.size() + n > capacity) {
      // Out of counter memory: refuse rather than forget usage.
      decision.allowed = false;
      decision.has_deciding = true;
      decision.deciding.limit = policy.limits[0];
      decision.deciding.retry_after_ms = options_.concurrency_retry_after_ms;
      return decision;
    }
  }

  const NowMs at(now);
  CounterBlock* blocks[kMaxLimitsPerPolicy];
  int64_t retry_after[kMaxLimitsPerPolicy];
  int refusing = -1;
  bool any_waits = false;
  BlockCursor cursor(*this, table);
  for (int i = 0; i < n; ++i) {
    // Refreshing a counter never changes which block a later limit finds, so each limit is
    // refreshed as soon as its block is found.
    blocks[i] = cursor.next(policy.limits[i], req.principal);
    retry_after[i] = refresh(shard, policy.limits[i], blocks[i]->counters, req.cost, at);
    if (retry_after[i] == 0) continue;
    any_waits = true;
    if (policy.limits[i].enforcement == Enforcement::kEnforce &&
        (refusing < 0 || frees_later(retry_after[i], retry_after[refusing]))) {
      refusing = i;
    }
  }

  auto note_shadow = [&](int i) {
    if (decision.shadow_refusals < Decision::kMaxShadow) {
      decision.shadow.set(decision.shadow_refusals++,
                          state_of(policy.limits[i], blocks[i]->counters, retry_after[i], at));
    }
  };

  if (refusing >= 0) {
    decision.allowed = false;
    decision.has_deciding = true;
    decision.deciding =
        state_of(policy.limits[refusing], blocks[refusing]->counters, retry_after[refusing], at);
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
    if (any_waits && retry_after[i] != 0) {  // only a shadow limit can get here
      note_shadow(i);
      continue;
    }
    if (limit.kind == LimitKind::kConcurrency) {
      if (decision.lease.count == Lease::kMaxSlots) continue;  // never taken, never released
      decision.lease.blocks[decision.lease.count++] = blocks[i]->key;
    }
    const uint32_t used = consume(limit, blocks[i]->counters, req.cost);
    const uint32_t remaining = limit.amount - std::min(limit.amount, used);
    if (limit.enforcement != Enforcement::kEnforce) continue;
    if (nearest < 0 || remaining < nearest_remaining) {
      nearest = i;
      nearest_remaining = remaining;
    }
    if (limit.kind == LimitKind::kCalendar && decision.calendar_count < Decision::kMaxCalendar &&
        may_warn(limit, req.principal.tier, used)) {
      decision.calendar.set(decision.calendar_count++, state_of(limit, blocks[i]->counters, 0, at));
    }
  }
  if (nearest >= 0) {
    decision.has_deciding = true;
    decision.deciding = state_of(policy.limits[nearest], blocks[nearest]->counters, 0, at);
  }
  return decision;
}

void Limiter::restore(const CheckRequest& req, int64_t at_ms, Instant now) {
  Shard& shard = shard_for(req.principal.user);
  core::MutexLock lock(shard.mu);
  const NowMs at(now);
  const int64_t age_ms = std::max<int64_t>(0, at.wall - at_ms);
  Policy scratch;
  for (const CompiledLimit& limit : shard.rules->resolve(req.principal, req.type, scratch)) {
    if (limit.kind == LimitKind::kConcurrency) continue;
    const Period* p = nullptr;
    if (limit.kind == LimitKind::kCalendar) {
      p = &period(shard, limit.period, at.wall);
      if (!p->contains(at_ms)) continue;
    } else if (age_ms >= limit.window_ms) {
      continue;  // out of every window of this width
    }
    CounterBlock* shared = nullptr;
    BlockCounters& counters =
        block_for(shard.blocks, limit, BlockKey::for_limit(limit, req.principal), shared, true)
            ->counters;
    if (limit.kind == LimitKind::kRate) {
      counters.window.restore(at.mono - age_ms, at.mono, req.cost);
      continue;
    }
    PeriodCount& count = counters.periods[static_cast<int>(limit.period)];
    count.enter(p->end_ms);
    count.used = saturating_add(count.used, req.cost);
  }
}

void Limiter::release(const Lease& lease) {
  if (lease.count == 0) return;
  Shard& shard = shard_for(lease.user);
  core::MutexLock lock(shard.mu);
  for (int i = 0; i < lease.count; ++i) {
    auto it = shard.blocks.find(lease.blocks[i]);
    if (it == shard.blocks.end()) continue;
    uint32_t& running = (*it)->counters.running;
    running = lease.cost > running ? 0 : running - lease.cost;
  }
}

size_t Limiter::reset_user(UserId user, std::span<const KeyId> keys) {
  Shard& shard = shard_for(user);
  core::MutexLock lock(shard.mu);
  auto owned = [&](uint64_t scope) {
    if ((scope & BlockKey::kKeyScope) == 0) return scope == user;
    const uint64_t key = scope & ~BlockKey::kKeyScope;
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  size_t cleared = 0;
  for (CounterBlock* block : shard.blocks) {
    if (!owned(block->key.scope)) continue;
    BlockCounters& c = block->counters;
    c.window.clear();  // the limit that owns this window keeps it
    for (PeriodCount& p : c.periods) p = PeriodCount();
    ++cleared;
  }
  return cleared;
}

std::vector<QuotaLine> quota_limits(const RuleSet& rules, const Principal& principal) {
  std::vector<QuotaLine> lines;
  std::vector<BlockKey> seen;  // of each line, in order
  Policy scratch;
  for (size_t t = 0; t < rules.command_types().size(); ++t) {
    if (rules.command_types()[t].retired) continue;
    auto type = static_cast<CommandTypeId>(t);
    for (const CompiledLimit& limit : rules.resolve(principal, type, scratch)) {
      if (limit.enforcement != Enforcement::kEnforce) continue;
      const BlockKey key = BlockKey::for_limit(limit, principal);
      bool repeat = false;
      for (size_t i = 0; i < lines.size() && !repeat; ++i) {
        repeat = seen[i] == key && lines[i].state.limit.same_slot(limit);
      }
      if (repeat) continue;
      seen.push_back(key);
      QuotaLine line{limit.type, {}};
      line.state.limit = limit;
      lines.push_back(line);
    }
  }
  return lines;
}

std::vector<QuotaLine> Limiter::quota_status(const Principal& principal, Instant now) {
  Shard& shard = shard_for(principal.user);
  core::MutexLock lock(shard.mu);
  const NowMs at(now);
  std::vector<QuotaLine> lines = quota_limits(*shard.rules, principal);
  for (QuotaLine& line : lines) {
    const CompiledLimit limit = line.state.limit;
    const BlockKey key = BlockKey::for_limit(limit, principal);
    CounterBlock* shared = nullptr;
    CounterBlock* block = block_for(shard.blocks, limit, key, shared, false);
    BlockCounters fresh;
    if (limit.kind == LimitKind::kRate) fresh.window.claim(limit.window_ms);
    BlockCounters& counters = block ? block->counters : fresh;
    int64_t retry_after_ms = refresh(shard, limit, counters, 1, at);
    line.state = state_of(limit, counters, retry_after_ms, at);
  }
  return lines;
}

size_t Limiter::sweep_shard(Shard& shard, Instant now) {
  const int64_t mono_ms = to_ms(now.mono);
  const int64_t wall_ms = to_ms(now.wall);
  return boost::unordered::erase_if(shard.blocks, [&](CounterBlock* block) {
    if (block->counters.live_count(mono_ms, wall_ms) != 0) return false;
    arena_.free(block);
    return true;
  });
}

size_t Limiter::sweep(Instant now) {
  Shard& shard = shards_[sweep_cursor_.fetch_add(1, std::memory_order_relaxed) % kShards];
  core::MutexLock lock(shard.mu);
  return sweep_shard(shard, now);
}

size_t Limiter::counter_count(Instant now) const {
  const int64_t mono_ms = to_ms(now.mono);
  const int64_t wall_ms = to_ms(now.wall);
  size_t total = 0;
  for (int i = 0; i < kShards; ++i) {
    core::MutexLock lock(shards_[i].mu);
    for (const CounterBlock* block : shards_[i].blocks) {
      total += static_cast<size_t>(block->counters.live_count(mono_ms, wall_ms));
    }
  }
  return total;
}

size_t Limiter::memory_bytes() const {
  // A flat table holds its slots inline plus 16 bytes of metadata per group of 15 slots.
  size_t total = sizeof(*this) + sizeof(Shard) * kShards + arena_.bytes();
  for (int i = 0; i < kShards; ++i) {
    core::MutexLock lock(shards_[i].mu);
    size_t slots = shards_[i].blocks.bucket_count();
    total += slots * sizeof(CounterBlock*) + (slots + 14) / 15 * 16;
  }
  return total;
}

}  // namespace gaia::core
