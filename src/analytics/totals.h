#pragma once
// Totals: what one aggregate adds up (a count and admitted cost, and for executions their
// duration, CPU time and peak memory: sum, max and a Sketch each), and RowKey, the bucket and
// dimensions that name an aggregate. Both convert to and from store::AggregateRow, so rows
// read back are merged with the same code that made them.
//
// Value types; not thread-safe.

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytics/sketch.h"
#include "store/store.h"

namespace gaia::analytics {

// Outcome names as stored and reported.
inline constexpr std::string_view kAdmitted = "admitted";
inline constexpr std::string_view kRefused = "refused";
inline constexpr std::string_view kExecuted = "executed";
inline constexpr std::string_view kFailed = "failed";

// An execution's outcome: executed when it exited 0, failed otherwise (a signal included).
std::string_view outcome_of(const store::Execution& e);

struct ExecFigures {
  int64_t duration_ms_sum = 0;
  int64_t duration_ms_max = 0;
  int64_t cpu_ms_sum = 0;
  int64_t cpu_ms_max = 0;
  int64_t peak_memory_max = 0;
  Sketch duration;
  Sketch cpu;
  Sketch memory;

  // Adds sums and takes maxima of figures (one execution's, or an aggregate's); the
  // sketches are the caller's.
  void add_figures(int64_t duration_sum, int64_t duration_max, int64_t cpu_sum, int64_t cpu_max,
                   int64_t memory_max);
};

struct Totals {
  uint64_t count = 0;
  uint64_t cost = 0;
  std::optional<ExecFigures> exec;  // set once an execution is added

  // Adds to count and cost, each stopping at INT64_MAX (never wrapping).
  void add_counts(uint64_t more_count, uint64_t more_cost);
  void add_execution(const store::Execution& e);
  void merge(const Totals& other);
  // Adds a stored row, its sketches straight from their bytes; false (adding nothing) when
  // one of them does not decode.
  bool merge_row(const store::AggregateRowView& row);
  // Writes counts, figures and encoded sketches into `row` (dimensions untouched).
  void fill(store::AggregateRow& row) const;
};

struct RowKey {
  int64_t bucket_start_ms = 0;
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  std::string outcome;
  std::string limit;

  static RowKey of(const store::AggregateRow& row);
  auto operator<=>(const RowKey&) const = default;
};

// Rows merged by key: what readers make of repeated rows.
using Merged = std::map<RowKey, Totals>;

// `merged` as rows of granularity `g`.
std::vector<store::AggregateRow> rows_of(const Merged& merged, store::Granularity g);

}  // namespace gaia::analytics
