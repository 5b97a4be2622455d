#pragma once
// The admin endpoints of usage and violations (admin keys only; docs/api.md):
//   GET /api/admin/quotas/usage?user=&type=&period=day|week|month&limit=&offset=
//       every user's calendar quotas as the limiter enforces them now: the used and limit
//       of the current period, read from the limiter's counters (which start-up restores
//       from the stored daily usage rows), one row per (user, type, period), ordered by
//       user name, type, period; offset pagination.
//   GET /api/admin/quotas/violations?user=&type=&limit_name=&from=&to=&limit=&before=
//       refused checks, newest first, from the store; cursor pagination by id.

#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api::admin {

// REQUIRES: everything in `ctx` outlives the router.
void add_admin_usage_api(http::Router& router, ApiContext ctx);

}  // namespace gaia::api::admin
