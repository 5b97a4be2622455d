#include "analytics/report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "analytics/totals.h"

namespace gaia::analytics {
namespace {

int64_t nominal_length(store::Granularity g) {
  switch (g) {
    case store::Granularity::kMinute:
      return kMinuteMs;
    case store::Granularity::kHour:
      return kHourMs;
    case store::Granularity::kDay:
      return kDayMs;
  }
  return kDayMs;
}

bool wants(const ReportQuery& q, Metric m) {
  return std::find(q.metrics.begin(), q.metrics.end(), m) != q.metrics.end();
}

bool groups(const ReportQuery& q, Dimension d) {
  return std::find(q.group_by.begin(), q.group_by.end(), d) != q.group_by.end();
}

int64_t rounded(double v) { return static_cast<int64_t>(std::llround(v)); }

}  // namespace

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kUser:
      return "user";
    case Dimension::kType:
      return "type";
    case Dimension::kKey:
      return "key";
    case Dimension::kOutcome:
      return "outcome";
  }
  return "user";
}

std::optional<Dimension> parse_dimension(std::string_view name) {
  for (Dimension d : {Dimension::kUser, Dimension::kType, Dimension::kKey, Dimension::kOutcome}) {
    if (dimension_name(d) == name) return d;
  }
  return std::nullopt;
}

std::string_view metric_name(Metric m) {
  switch (m) {
    case Metric::kCount:
      return "count";
    case Metric::kCost:
      return "cost";
    case Metric::kDuration:
      return "duration";
    case Metric::kCpu:
      return "cpu";
    case Metric::kMemory:
      return "memory";
  }
  return "count";
}

std::optional<Metric> parse_metric(std::string_view name) {
  for (Metric m :
       {Metric::kCount, Metric::kCost, Metric::kDuration, Metric::kCpu, Metric::kMemory}) {
    if (metric_name(m) == name) return m;
  }
  return std::nullopt;
}

core::Status validate(const ReportQuery& q) {
  if (q.from_ms < kMinReportTimeMs || q.from_ms > kMaxReportTimeMs) {
    return core::Status::invalid_argument("from must be within the years 0000 to 9999");
  }
  if (q.to_ms < kMinReportTimeMs || q.to_ms > kMaxReportTimeMs) {
    return core::Status::invalid_argument("to must be within the years 0000 to 9999");
  }
  if (q.from_ms >= q.to_ms) return core::Status::invalid_argument("from must be before to");
  // Unsigned: to - from is exact there (from < to), and the rounding up cannot wrap.
  const uint64_t span = static_cast<uint64_t>(q.to_ms) - static_cast<uint64_t>(q.from_ms);
  const uint64_t length = static_cast<uint64_t>(nominal_length(q.bucket));
  const uint64_t buckets = span / length + (span % length != 0 ? 1 : 0);
  if (buckets > static_cast<uint64_t>(kMaxReportBuckets)) {
    return core::Status::invalid_argument(
        "the range spans " + std::to_string(buckets) + " " +
        std::string(store::granularity_name(q.bucket)) + " buckets; the limit is " +
        std::to_string(kMaxReportBuckets) + ": use a coarser bucket or a shorter range");
  }
  return {};
}

std::vector<std::string> report_columns(const ReportQuery& q) {
  std::vector<std::string> columns{"t_ms"};
  for (Dimension d : q.group_by) columns.emplace_back(dimension_name(d));
  for (Metric m : q.metrics) {
    switch (m) {
      case Metric::kCount:
        columns.emplace_back("count");
        break;
      case Metric::kCost:
        columns.emplace_back("cost");
        break;
      case Metric::kDuration:
        columns.insert(columns.end(), {"duration_ms_sum", "duration_ms_p50", "duration_ms_p95"});
        break;
      case Metric::kCpu:
        columns.insert(columns.end(), {"cpu_ms_sum", "cpu_ms_p50", "cpu_ms_p95"});
        break;
      case Metric::kMemory:
        columns.insert(columns.end(), {"peak_memory_max", "peak_memory_p95"});
        break;
    }
  }
  return columns;
}

namespace {

// The row of one merged group, in the columns of report_columns(q).
std::vector<Value> row_of(const ReportQuery& q, const RowKey& key, const Totals& t,
                          const std::function<const std::string&(uint64_t)>& name_of) {
  std::vector<Value> out;
  out.emplace_back(key.bucket_start_ms);
  for (Dimension d : q.group_by) {
    switch (d) {
      case Dimension::kUser:
        out.emplace_back(name_of(key.user_id));
        break;
      case Dimension::kType:
        out.emplace_back(key.type);
        break;
      case Dimension::kKey:
        out.emplace_back(static_cast<int64_t>(key.key_id));
        break;
      case Dimension::kOutcome:
        out.emplace_back(key.outcome);
        break;
    }
  }
  const ExecFigures none;
  const ExecFigures& f = t.exec ? *t.exec : none;
  for (Metric m : q.metrics) {
    switch (m) {
      case Metric::kCount:
        out.emplace_back(static_cast<int64_t>(t.count));
        break;
      case Metric::kCost:
        out.emplace_back(static_cast<int64_t>(t.cost));
        break;
      case Metric::kDuration:
        out.emplace_back(f.duration_ms_sum);
        out.emplace_back(rounded(f.duration.quantile(0.5)));
        out.emplace_back(rounded(f.duration.quantile(0.95)));
        break;
      case Metric::kCpu:
        out.emplace_back(f.cpu_ms_sum);
        out.emplace_back(rounded(f.cpu.quantile(0.5)));
        out.emplace_back(rounded(f.cpu.quantile(0.95)));
        break;
      case Metric::kMemory:
        out.emplace_back(f.peak_memory_max);
        out.emplace_back(rounded(f.memory.quantile(0.95)));
        break;
    }
  }
  return out;
}

}  // namespace

core::Status stream_report(store::AggregateStore& store, const Buckets& buckets,
                           const ReportQuery& q, const UserName& user_name, const RowSink& sink) {
  const bool figures =
      wants(q, Metric::kDuration) || wants(q, Metric::kCpu) || wants(q, Metric::kMemory);
  std::map<uint64_t, std::string> names;
  auto name_of = [&](uint64_t id) -> const std::string& {
    auto it = names.find(id);
    if (it == names.end()) it = names.emplace(id, user_name(id)).first;
    return it->second;
  };
  // Slices end on bucket boundaries (a local day may be 23 or 25 hours), so no bucket is
  // split between two slices, and the rows come out ordered by bucket as a whole.
  for (int64_t from = buckets.start(q.bucket, q.from_ms); from < q.to_ms;) {
    int64_t to = from;
    for (int i = 0; i < kReportSliceBuckets && to < q.to_ms; ++i) {
      to = buckets.at(q.bucket, to).end_ms;
    }
    to = std::min(to, q.to_ms);
    // Group key: the bucket and the asked dimensions; the others are left at their zero.
    Merged merged;
    auto add = [&](const store::AggregateRowView& row) {
      RowKey key{row.bucket_start_ms, 0, 0, "", "", ""};
      if (groups(q, Dimension::kUser)) key.user_id = row.user_id;
      if (groups(q, Dimension::kKey)) key.key_id = row.key_id;
      if (groups(q, Dimension::kType)) key.type = row.type;
      if (groups(q, Dimension::kOutcome)) key.outcome = row.outcome;
      Totals& t = merged[std::move(key)];
      if (figures) {
        (void)t.merge_row(row);  // a damaged row is left out
      } else {
        t.add_counts(row.count, row.cost);
      }
    };
    // Rows are views into the store's current row: merged as they pass, never copied.
    core::Status scanned =
        store.scan_aggregates({q.bucket, from, to, q.user_id, q.type, q.outcome}, add);
    if (!scanned.ok()) return scanned;
    for (const auto& [key, t] : merged) {
      if (!sink(row_of(q, key, t, name_of))) return {};
    }
    from = to;
  }
  return {};
}

core::Result<ReportTable> run_report(store::AggregateStore& store, const Buckets& buckets,
                                     const ReportQuery& q, const UserName& user_name) {
  ReportTable table;
  table.columns = report_columns(q);
  core::Status s = stream_report(store, buckets, q, user_name, [&](std::vector<Value> row) {
    table.rows.push_back(std::move(row));
    return true;
  });
  if (!s.ok()) return s;
  return table;
}

}  // namespace gaia::analytics
