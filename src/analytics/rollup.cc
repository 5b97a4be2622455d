#include "analytics/rollup.h"

#include <algorithm>
#include <map>

namespace gaia::analytics {
namespace {

using store::Granularity;
constexpr Granularity kAll[] = {Granularity::kMinute, Granularity::kHour, Granularity::kDay};

// `rows` re-bucketed into granularity `g`, repeats merged. Rows whose sketches do not decode
// are skipped (they were written by this code, so only a damaged row is).
std::vector<store::AggregateRow> regroup(const std::vector<store::AggregateRow>& rows,
                                         Granularity g, const Buckets& buckets) {
  Merged merged;
  for (const store::AggregateRow& row : rows) {
    RowKey key = RowKey::of(row);
    key.bucket_start_ms = buckets.start(g, row.bucket_start_ms);
    (void)merged[std::move(key)].merge_row(store::view_of(row));
  }
  return rows_of(merged, g);
}

}  // namespace

core::Status Rollup::flush() {
  core::MutexLock lock(mu_);
  return flush_locked();
}

core::Status Rollup::flush_locked() {
  std::vector<store::AggregateRow> minutes = aggregator_.drain();
  if (!pending_.empty()) {
    minutes.insert(minutes.begin(), std::make_move_iterator(pending_.begin()),
                   std::make_move_iterator(pending_.end()));
    pending_.clear();
  }
  if (minutes.empty()) return {};
  minutes = regroup(minutes, Granularity::kMinute, buckets_);
  std::vector<store::AggregateRow> all = minutes;
  for (Granularity g : {Granularity::kHour, Granularity::kDay}) {
    std::vector<store::AggregateRow> rows = regroup(minutes, g, buckets_);
    all.insert(all.end(), std::make_move_iterator(rows.begin()),
               std::make_move_iterator(rows.end()));
  }
  if (core::Status s = store_.add_aggregates(all); !s.ok()) {
    if (minutes.size() > kMaxPendingRows) {
      dropped_ += minutes.size() - kMaxPendingRows;
      minutes.erase(minutes.begin(),
                    minutes.begin() + static_cast<ptrdiff_t>(minutes.size() - kMaxPendingRows));
    }
    pending_ = std::move(minutes);
    return s;
  }
  for (const store::AggregateRow& row : all) touched_.emplace(row.granularity, row.bucket_start_ms);
  return {};
}

core::Status Rollup::compact() {
  core::MutexLock lock(mu_);
  while (!touched_.empty()) {
    const auto [g, start] = *touched_.begin();
    const core::Period bucket = buckets_.at(g, start);
    auto rows = store_.list_aggregates({g, bucket.start_ms, bucket.end_ms});
    if (!rows.ok()) return rows.status();
    if (rows->size() > 1) {
      std::vector<store::AggregateRow> merged = regroup(rows.value(), g, buckets_);
      if (merged.size() < rows->size()) {
        core::Status s = store_.replace_aggregates({g, bucket.start_ms, bucket.end_ms, {}}, merged);
        if (!s.ok()) return s;
      }
    }
    touched_.erase(touched_.begin());
  }
  return {};
}

core::Result<RebuildStats> Rollup::rebuild(int64_t from_ms, int64_t to_ms, int64_t now_ms) {
  core::MutexLock lock(mu_);
  // What the aggregator holds goes in first, so that it is not counted twice: a rebuilt day
  // replaces it with the raw rows, which include it.
  if (core::Status s = flush_locked(); !s.ok()) return s;
  RebuildStats stats;
  stats.from_ms = buckets_.start(Granularity::kDay, from_ms);
  stats.to_ms = buckets_.at(Granularity::kDay, to_ms - 1).end_ms;

  const std::vector<std::string> outcomes{std::string(kExecuted), std::string(kFailed),
                                          std::string(kRefused)};
  const int64_t kept_since[] = {now_ms - retention_.minute.count(),
                                now_ms - retention_.hour.count(), now_ms - retention_.day.count()};

  for (int64_t day = stats.from_ms; day < stats.to_ms;) {
    const core::Period d = buckets_.at(Granularity::kDay, day);
    std::map<Granularity, Merged> merged;
    auto add = [&](const RowKey& dims, int64_t t_ms, const Totals& totals) {
      for (Granularity g : kAll) {
        RowKey key = dims;
        key.bucket_start_ms = buckets_.start(g, t_ms);
        merged[g][std::move(key)].merge(totals);
      }
    };
    core::Status scanned =
        store_.scan_executions(d.start_ms, d.end_ms, [&](const store::Execution& e) {
          Totals t;
          t.add_execution(e);
          add({0, e.user_id, e.key_id, e.type, std::string(outcome_of(e)), ""}, e.started_at_ms, t);
          ++stats.executions;
        });
    if (!scanned.ok()) return scanned;
    // Read a day at a time, in pages: a rebuild's memory is one day's aggregates, never
    // every raw row of the range.
    scanned = store_.scan_violations(d.start_ms, d.end_ms, [&](const store::ViolationRecord& r) {
      const store::Violation& v = r.violation;
      Totals t;
      t.count = v.count;  // an episode: its refusals, not one row
      add({0, v.user_id, v.key_id, v.type, std::string(kRefused), v.limit}, v.at_ms, t);
      stats.violations += v.count;
    });
    if (!scanned.ok()) return scanned;
    for (size_t i = 0; i < std::size(kAll); ++i) {
      const Granularity g = kAll[i];
      if (d.end_ms <= kept_since[i]) continue;  // past retention: nothing is kept there
      std::vector<store::AggregateRow> rows = rows_of(merged[g], g);
      core::Status s = store_.replace_aggregates({g, d.start_ms, d.end_ms, outcomes}, rows);
      if (!s.ok()) return s;
      stats.rows += rows.size();
    }
    day = d.end_ms;
  }
  return stats;
}

core::Status Rollup::retain(int64_t now_ms) {
  core::MutexLock lock(mu_);
  const int64_t cutoff[] = {now_ms - retention_.minute.count(), now_ms - retention_.hour.count(),
                            now_ms - retention_.day.count()};
  for (size_t i = 0; i < std::size(kAll); ++i) {
    auto deleted = store_.delete_aggregates_before(kAll[i], cutoff[i]);
    if (!deleted.ok()) return deleted.status();
  }
  return {};
}

uint64_t Rollup::dropped_rows() const {
  core::MutexLock lock(mu_);
  return dropped_;
}

}  // namespace gaia::analytics
