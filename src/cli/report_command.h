#pragma once
// gaia admin report and gaia admin rebuild-aggregates (admin key): the analytics report of
// GET /api/admin/quotas/analytics printed as a table, CSV or JSON, and a rebuild of the
// aggregates from raw rows (POST /api/admin/analytics/rebuild). docs/cli.md.

#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace gaia::cli {

struct ReportArgs {
  std::optional<std::string> from;  // ms since the epoch or RFC 3339; the server checks
  std::optional<std::string> to;
  std::optional<std::string> bucket;
  std::optional<std::string> group_by;  // "user,type"
  std::vector<std::string> filters;     // "user=alice", "type=shell", "outcome=refused"
  std::optional<std::string> metrics;   // "count,duration"
  std::string format = "table";         // table | csv | json
};

// The query string of `args` (percent-encoded), or the usage problem.
core::Result<std::string> report_query(const ReportArgs& args);

int report(const Session& s, const ReportArgs& args);

int rebuild_aggregates(const Session& s, std::optional<int64_t> from_ms,
                       std::optional<int64_t> to_ms);

}  // namespace gaia::cli
