#include "api/admin/analytics_query.h"

#include <algorithm>
#include <vector>

#include "analytics/totals.h"

namespace gaia::api::admin {
namespace {

constexpr int64_t kDefaultRangeMs = 24 * analytics::kHourMs;

// Splits a comma-separated list; empty items are dropped.
std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::variant<std::pair<int64_t, int64_t>, http::Response> range_of(QueryReader& q, int64_t now_ms,
                                                                   int64_t default_length) {
  auto from = q.time_ms("from");
  auto to = q.time_ms("to");
  // time_ms bounds both to the years 0000 to 9999: no sum below can overflow.
  if (q.error()) return *q.error();
  const int64_t to_ms =
      std::clamp(to.value_or(now_ms), analytics::kMinReportTimeMs, analytics::kMaxReportTimeMs);
  const int64_t from_ms =
      from.value_or(std::max(to_ms - default_length, analytics::kMinReportTimeMs));
  if (from_ms >= to_ms) return field_error("from", "must be before to");
  return std::make_pair(from_ms, to_ms);
}

std::variant<ParsedReport, http::Response> parse_report_query(std::string_view query,
                                                              int64_t now_ms,
                                                              const FindUser& find_user) {
  QueryReader q(query);
  ParsedReport out;
  auto range = range_of(q, now_ms, kDefaultRangeMs);
  if (auto* r = std::get_if<http::Response>(&range)) return std::move(*r);
  std::tie(out.query.from_ms, out.query.to_ms) = std::get<0>(range);
  auto bucket = q.text("bucket", 16);
  auto group_by = q.text("group_by", 64);
  auto user = q.text("user", 128);
  auto type = q.text("type", 64);
  auto outcome = q.text("outcome", 16);
  auto metrics = q.text("metrics", 64);
  auto format = q.text("format", 8);
  if (q.error()) return *q.error();
  if (bucket) {
    auto g = store::parse_granularity(*bucket);
    if (!g) return field_error("bucket", "must be minute, hour or day");
    out.query.bucket = *g;
  }
  if (group_by) {
    for (const std::string& name : split(*group_by)) {
      auto d = analytics::parse_dimension(name);
      if (!d) return field_error("group_by", "\"" + name + "\": use user, type, key or outcome");
      if (std::find(out.query.group_by.begin(), out.query.group_by.end(), *d) !=
          out.query.group_by.end()) {
        return field_error("group_by", "\"" + name + "\" is named twice");
      }
      out.query.group_by.push_back(*d);
    }
  }
  if (metrics) {
    out.query.metrics.clear();
    for (const std::string& name : split(*metrics)) {
      auto m = analytics::parse_metric(name);
      if (!m) {
        return field_error("metrics", "\"" + name + "\": use count, cost, duration, cpu or memory");
      }
      if (std::find(out.query.metrics.begin(), out.query.metrics.end(), *m) ==
          out.query.metrics.end()) {
        out.query.metrics.push_back(*m);
      }
    }
    if (out.query.metrics.empty()) return field_error("metrics", "name at least one metric");
  }
  if (user) {
    auto found = find_user(*user);
    if (!found) return field_error("user", "no user " + *user);
    out.query.user_id = *found;
  }
  if (type) out.query.type = *type;
  if (outcome) {
    if (*outcome != analytics::kAdmitted && *outcome != analytics::kRefused &&
        *outcome != analytics::kExecuted && *outcome != analytics::kFailed) {
      return field_error("outcome", "must be admitted, refused, executed or failed");
    }
    out.query.outcome = *outcome;
  }
  if (format) {
    if (*format != "json" && *format != "csv") return field_error("format", "must be json or csv");
    out.csv = *format == "csv";
  }
  if (core::Status s = analytics::validate(out.query); !s.ok()) {
    const std::string_view m = s.message();
    return field_error(m.starts_with("from") ? "from" : m.starts_with("to ") ? "to" : "bucket", m);
  }
  return out;
}

}  // namespace gaia::api::admin
