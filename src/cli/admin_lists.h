#pragma once
// `gaia admin users|keys|rules|alerts|approvals`: what the server holds, as tables for people
// (times in the local zone and how long ago) or, with --json, the server's JSON verbatim. Each
// is one GET of the admin API (docs/api.md) with an admin key.

#include <cstdint>
#include <string>

#include "cli/commands.h"

namespace gaia::cli {

struct ListArgs {
  std::string query;   // users: a part of the name
  std::string tier;    // users: only this tier
  std::string user;    // keys: whose
  std::string state;   // alerts: pending, firing or resolved
  int64_t now_ms = 0;  // the time "... ago" is counted from, ms since the epoch
};

// Each returns kExitOk, or kExitError with the problem on s.err.
int list_users(const Session& s, const ListArgs& args);      // GET /api/admin/users
int list_keys(const Session& s, const ListArgs& args);       // GET /api/admin/users/{user}
int list_rules(const Session& s, const ListArgs& args);      // GET /api/admin/quotas/config
int list_alerts(const Session& s, const ListArgs& args);     // GET /api/admin/alerts
int list_approvals(const Session& s, const ListArgs& args);  // GET /api/admin/approvals

}  // namespace gaia::cli
