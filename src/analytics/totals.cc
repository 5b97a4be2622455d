#include "analytics/totals.h"

#include <algorithm>

#include "analytics/encoded_sketch.h"
#include "core/saturating_add.h"

namespace gaia::analytics {

void ExecFigures::add_figures(int64_t duration_sum, int64_t duration_max, int64_t cpu_sum,
                              int64_t cpu_max, int64_t memory_max) {
  // Sums saturate: figures are client-given and add up without end.
  duration_ms_sum = core::saturating_add(duration_ms_sum, duration_sum);
  duration_ms_max = std::max(duration_ms_max, duration_max);
  cpu_ms_sum = core::saturating_add(cpu_ms_sum, cpu_sum);
  cpu_ms_max = std::max(cpu_ms_max, cpu_max);
  peak_memory_max = std::max(peak_memory_max, memory_max);
}

std::string_view outcome_of(const store::Execution& e) {
  return e.exit_code == 0 && !e.signal ? kExecuted : kFailed;
}

void Totals::add_execution(const store::Execution& e) {
  add_counts(1, 0);
  if (!exec) exec.emplace();
  ExecFigures& f = *exec;
  f.add_figures(e.duration_ms, e.duration_ms, e.cpu_ms, e.cpu_ms, e.peak_memory_bytes);
  f.duration.add(e.duration_ms);
  f.cpu.add(e.cpu_ms);
  f.memory.add(e.peak_memory_bytes);
}

void Totals::add_counts(uint64_t more_count, uint64_t more_cost) {
  // Stored and reported as signed 64-bit integers: the sums stop there.
  count = std::min<uint64_t>(core::saturating_add(count, more_count), INT64_MAX);
  cost = std::min<uint64_t>(core::saturating_add(cost, more_cost), INT64_MAX);
}

void Totals::merge(const Totals& other) {
  add_counts(other.count, other.cost);
  if (!other.exec) return;
  if (!exec) {
    exec = other.exec;
    return;
  }
  ExecFigures& f = *exec;
  const ExecFigures& o = *other.exec;
  f.add_figures(o.duration_ms_sum, o.duration_ms_max, o.cpu_ms_sum, o.cpu_ms_max,
                o.peak_memory_max);
  f.duration.merge(o.duration);
  f.cpu.merge(o.cpu);
  f.memory.merge(o.memory);
}

bool Totals::merge_row(const store::AggregateRowView& row) {
  const bool has_figures = !row.duration_sketch.empty() || !row.cpu_sketch.empty() ||
                           !row.memory_sketch.empty() || row.duration_ms_sum != 0 ||
                           row.cpu_ms_sum != 0 || row.peak_memory_max != 0;
  if (!has_figures) {
    add_counts(row.count, row.cost);
    return true;
  }
  // All three are checked before any is added, so a damaged row adds nothing.
  auto d = EncodedSketch::parse(row.duration_sketch);
  auto c = EncodedSketch::parse(row.cpu_sketch);
  auto m = EncodedSketch::parse(row.memory_sketch);
  if (!d || !c || !m) return false;
  add_counts(row.count, row.cost);
  if (!exec) exec.emplace();
  ExecFigures& f = *exec;
  f.add_figures(row.duration_ms_sum, row.duration_ms_max, row.cpu_ms_sum, row.cpu_ms_max,
                row.peak_memory_max);
  f.duration.merge(*d);
  f.cpu.merge(*c);
  f.memory.merge(*m);
  return true;
}

void Totals::fill(store::AggregateRow& row) const {
  row.count = count;
  row.cost = cost;
  if (!exec) return;
  row.duration_ms_sum = exec->duration_ms_sum;
  row.duration_ms_max = exec->duration_ms_max;
  row.cpu_ms_sum = exec->cpu_ms_sum;
  row.cpu_ms_max = exec->cpu_ms_max;
  row.peak_memory_max = exec->peak_memory_max;
  row.duration_sketch = exec->duration.encode();
  row.cpu_sketch = exec->cpu.encode();
  row.memory_sketch = exec->memory.encode();
}

RowKey RowKey::of(const store::AggregateRow& row) {
  return {row.bucket_start_ms, row.user_id, row.key_id, row.type, row.outcome, row.limit};
}

std::vector<store::AggregateRow> rows_of(const Merged& merged, store::Granularity g) {
  std::vector<store::AggregateRow> rows;
  rows.reserve(merged.size());
  for (const auto& [key, totals] : merged) {
    store::AggregateRow row;
    row.granularity = g;
    row.bucket_start_ms = key.bucket_start_ms;
    row.user_id = key.user_id;
    row.key_id = key.key_id;
    row.type = key.type;
    row.outcome = key.outcome;
    row.limit = key.limit;
    totals.fill(row);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace gaia::analytics
