#pragma once
// Reading the query string of the analytics endpoints (GET /api/admin/quotas/analytics and
// /api/admin/analytics/*): ranges, the report's parameters and format. Outside input: every
// bad parameter is a 400 naming it, and no value, however large, overflows a computation
// (times are bounded to the years 0000 to 9999 before anything adds to them).
// Threads: free functions; any thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "analytics/report.h"
#include "api/admin/admin_support.h"

namespace gaia::api::admin {

// The range of a request: `to` defaults to now and `from` to `default_length` before it;
// both within [analytics::kMinReportTimeMs, analytics::kMaxReportTimeMs], from before to.
std::variant<std::pair<int64_t, int64_t>, http::Response> range_of(QueryReader& q, int64_t now_ms,
                                                                   int64_t default_length);

struct ParsedReport {
  analytics::ReportQuery query;
  bool csv = false;
};

// The id of the user named `name`, or nullopt when there is none.
using FindUser = std::function<std::optional<uint64_t>(std::string_view name)>;

// A report's parameters from `query` (from, to, bucket, group_by, user, type, outcome,
// metrics, format); on success the query passes analytics::validate.
std::variant<ParsedReport, http::Response> parse_report_query(std::string_view query,
                                                              int64_t now_ms,
                                                              const FindUser& find_user);

}  // namespace gaia::api::admin
