#include "analytics/aggregator.h"

#include "analytics/buckets.h"

namespace gaia::analytics {
namespace {

constexpr uint8_t kOutcomeAdmitted = 0;
constexpr uint8_t kOutcomeRefused = 1;
constexpr uint8_t kOutcomeExecuted = 2;
constexpr uint8_t kOutcomeFailed = 3;
constexpr std::string_view kOutcomeNames[] = {kAdmitted, kRefused, kExecuted, kFailed};

int64_t minute_of(int64_t t_ms) {
  int64_t m = t_ms - t_ms % kMinuteMs;
  return t_ms % kMinuteMs < 0 ? m - kMinuteMs : m;
}

}  // namespace

size_t Aggregator::KeyHash::operator()(const Key& k) const {
  // A multiplicative mix of the fields; boost's flat map mixes the result again.
  uint64_t h = static_cast<uint64_t>(k.minute_ms) * 0x9E3779B97F4A7C15ull;
  h ^= k.user_id + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
  h ^= k.key_id + 0x8CB92BA72F3D8DD7ull + (h << 6) + (h >> 2);
  h ^= (uint64_t{k.type} << 40 | uint64_t{k.limit} << 8 | k.outcome) + (h << 6) + (h >> 2);
  return static_cast<size_t>(h);
}

Aggregator::Aggregator(size_t shards) : shards_(shards == 0 ? 1 : shards) {}

Totals& Aggregator::entry(Shard& shard, const Key& key) { return shard.table[key]; }

void Aggregator::on_usage(const store::Usage& delta, int64_t at_ms) {
  const Key key{minute_of(at_ms), delta.user_id, delta.key_id, strings_.id(delta.type), 0,
                kOutcomeAdmitted};
  Shard& shard = shard_for(delta.user_id);
  core::MutexLock lock(shard.mu);
  entry(shard, key).add_counts(1, delta.used);
}

void Aggregator::on_violation(const store::Violation& v) {
  const Key key{minute_of(v.at_ms),   v.user_id,      v.key_id, strings_.id(v.type),
                strings_.id(v.limit), kOutcomeRefused};
  Shard& shard = shard_for(v.user_id);
  core::MutexLock lock(shard.mu);
  entry(shard, key).add_counts(v.count, 0);  // an episode counts its refusals
}

void Aggregator::on_execution(const store::Execution& e) {
  const uint8_t outcome = outcome_of(e) == kExecuted ? kOutcomeExecuted : kOutcomeFailed;
  const Key key{minute_of(e.started_at_ms), e.user_id, e.key_id, strings_.id(e.type), 0, outcome};
  Shard& shard = shard_for(e.user_id);
  core::MutexLock lock(shard.mu);
  entry(shard, key).add_execution(e);
}

std::vector<store::AggregateRow> Aggregator::drain() {
  std::vector<store::AggregateRow> rows;
  for (Shard& shard : shards_) {
    Table taken;
    {
      core::MutexLock lock(shard.mu);
      taken.swap(shard.table);
    }
    // Outside the lock: names and encoding cost more than the swap.
    rows.reserve(rows.size() + taken.size());
    for (const auto& [key, totals] : taken) {
      store::AggregateRow row;
      row.granularity = store::Granularity::kMinute;
      row.bucket_start_ms = key.minute_ms;
      row.user_id = key.user_id;
      row.key_id = key.key_id;
      row.type = strings_.name(key.type);
      row.outcome = std::string(kOutcomeNames[key.outcome]);
      if (key.outcome == kOutcomeRefused) row.limit = strings_.name(key.limit);
      totals.fill(row);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace gaia::analytics
