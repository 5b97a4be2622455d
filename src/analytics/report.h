#pragma once
// Reports: the aggregates of a time range in buckets of a minute, an hour or a day, grouped by
// any of user, command type, key and outcome, filtered, with the metrics asked for. Read from
// the stored aggregates only (never from raw rows), so a month of ten million executions is
// a few hundred thousand day rows. What the Aggregator holds and has not flushed yet (at
// most one flush interval) is not in it.
//
// A report is produced a slice of buckets at a time (stream_report): each slice's rows are
// scanned, merged, handed on and forgotten, so its memory is one slice's groups whatever the
// range, and the store's lock is held for one slice's scan, never the whole report.
//
// Example:
//   ReportQuery q{.from_ms = t0, .to_ms = t1, .bucket = store::Granularity::kDay,
//                 .group_by = {Dimension::kUser, Dimension::kType}};
//   auto table = run_report(store, buckets, q, names);  // columns + rows, ready to print
//   stream_report(store, buckets, q, names, [&](std::vector<Value> row) { ...; return true; });
//
// Threads: any thread; run_report and stream_report read the store.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "analytics/buckets.h"
#include "store/aggregate_store.h"

namespace gaia::analytics {

enum class Dimension : uint8_t { kUser, kType, kKey, kOutcome };
enum class Metric : uint8_t { kCount, kCost, kDuration, kCpu, kMemory };

std::string_view dimension_name(Dimension d);
std::optional<Dimension> parse_dimension(std::string_view name);
std::string_view metric_name(Metric m);
std::optional<Metric> parse_metric(std::string_view name);

// The most buckets one report may span: (to - from) / bucket length.
inline constexpr int64_t kMaxReportBuckets = 100'000;
// Buckets read, merged and handed on together (stream_report).
inline constexpr int kReportSliceBuckets = 64;
// The times a report may name: from 0000-01-01 to 9999-12-31 (RFC 3339's years), so that every
// sum and calendar step over them stays far inside int64.
inline constexpr int64_t kMinReportTimeMs = -62'167'219'200'000;
inline constexpr int64_t kMaxReportTimeMs = 253'402'300'799'999;

struct ReportQuery {
  int64_t from_ms = 0;  // inclusive; the first bucket is the one containing it
  int64_t to_ms = 0;    // exclusive
  store::Granularity bucket = store::Granularity::kHour;
  std::vector<Dimension> group_by;  // in column order; no repeats
  std::optional<uint64_t> user_id = std::nullopt;
  std::optional<std::string> type = std::nullopt;
  std::optional<std::string> outcome = std::nullopt;
  std::vector<Metric> metrics = {Metric::kCount, Metric::kCost};
};

// kInvalidArgument (its message says why) when from >= to, either lies outside
// [kMinReportTimeMs, kMaxReportTimeMs], or the range spans more than kMaxReportBuckets
// buckets. Never overflows, whatever the query holds.
core::Status validate(const ReportQuery& q);

// One cell: integers (counts, sums, percentiles rounded to the unit) or text (names).
using Value = std::variant<int64_t, std::string>;

struct ReportTable {
  // "t_ms", then one per group_by dimension ("user", "type", "key", "outcome"), then per
  // metric: count | cost | duration_ms_sum, duration_ms_p50, duration_ms_p95 | cpu_ms_sum,
  // cpu_ms_p50, cpu_ms_p95 | peak_memory_max, peak_memory_p95.
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;  // ordered by t_ms, then the group values
};

// The columns of `q`'s table.
std::vector<std::string> report_columns(const ReportQuery& q);

// A user's name for the report (its id as text when unknown).
using UserName = std::function<std::string(uint64_t user_id)>;

// Receives the rows of a report one at a time, in table order (report_columns); false stops
// the report (its reader went away).
using RowSink = std::function<bool(std::vector<Value> row)>;

// Hands `q`'s rows to `sink` as they are produced, a slice of kReportSliceBuckets buckets at
// a time. On failure the rows already handed on stay handed on. REQUIRES: validate(q).ok().
core::Status stream_report(store::AggregateStore& store, const Buckets& buckets,
                           const ReportQuery& q, const UserName& user_name, const RowSink& sink);

// The whole table at once (stream_report collected): for reports known to be small.
// REQUIRES: validate(q).ok().
core::Result<ReportTable> run_report(store::AggregateStore& store, const Buckets& buckets,
                                     const ReportQuery& q, const UserName& user_name);

}  // namespace gaia::analytics
