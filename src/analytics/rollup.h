#pragma once
// Rollup: moves the aggregates from the Aggregator into the store and keeps them tidy.
//   flush()   drains the aggregator and appends its rows at every granularity (the minute
//             rows, and the same re-bucketed into hours and days), in one transaction;
//   compact() merges the repeated rows of every bucket written to since the last compaction
//             into one row per dimensions (readers merge either way; this keeps them few);
//   rebuild() recomputes the executed, failed and refused aggregates of whole local days
//             from the raw executions and violations (admitted units are kept: the raw form
//             of usage is daily, finer buckets could not be rebuilt from it);
//   retain()  deletes minute, hour and day rows older than their retention.
// One step at a time: they share one lock, so a compaction never loses rows a flush is
// appending, nor a rebuild rows a compaction is rewriting.
//
// Ownership: the store and the aggregator must outlive the rollup.
// Threads: any thread; steps do I/O, so never on the request path (a chore thread calls
// flush and compact; an admin request calls rebuild).

#include <chrono>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "analytics/aggregator.h"
#include "analytics/buckets.h"
#include "core/mutex.h"
#include "store/store.h"

namespace gaia::analytics {

struct Retention {
  std::chrono::milliseconds minute = std::chrono::hours(24 * 7);
  std::chrono::milliseconds hour = std::chrono::hours(24 * 90);
  std::chrono::milliseconds day = std::chrono::hours(24 * 730);
};

struct RebuildStats {
  int64_t from_ms = 0;  // the local days rebuilt: [from_ms, to_ms)
  int64_t to_ms = 0;
  uint64_t executions = 0;
  uint64_t violations = 0;  // refusals read (an episode counts its refusals)
  uint64_t rows = 0;        // aggregate rows written, every granularity
};

class Rollup {
 public:
  // Rows kept for the next flush while the store fails; past this the oldest are dropped.
  static constexpr size_t kMaxPendingRows = 200'000;

  Rollup(store::Store& store, Aggregator& aggregator, Buckets buckets, Retention retention)
      : store_(store), aggregator_(aggregator), buckets_(buckets), retention_(retention) {}

  // On failure the drained rows are kept and written by the next flush.
  core::Status flush();
  // Stops at the first failure; buckets not yet compacted are tried again next time.
  core::Status compact();
  // REQUIRES: from_ms < to_ms. `now_ms` decides which granularities are still retained.
  core::Result<RebuildStats> rebuild(int64_t from_ms, int64_t to_ms, int64_t now_ms);
  core::Status retain(int64_t now_ms);

  // Rows dropped because the store failed for too long.
  uint64_t dropped_rows() const;
  const Buckets& buckets() const { return buckets_; }
  const Retention& retention() const { return retention_; }

 private:
  core::Status flush_locked() REQUIRES(mu_);

  store::Store& store_;
  Aggregator& aggregator_;
  const Buckets buckets_;
  const Retention retention_;
  mutable core::Mutex mu_;
  std::vector<store::AggregateRow> pending_ GUARDED_BY(mu_);
  std::set<std::pair<store::Granularity, int64_t>> touched_ GUARDED_BY(mu_);
  uint64_t dropped_ GUARDED_BY(mu_) = 0;
};

}  // namespace gaia::analytics
