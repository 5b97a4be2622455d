#pragma once
// The admin endpoints of users beyond create/tier/keys (admin keys only; docs/api.md, "Users"):
//   GET  /api/admin/users?q=&tier=&limit=&offset=   list and search (q: part of the name,
//                                                    any case), by name; offset pagination
//   GET  /api/admin/users/{name}                    one user: keys, quota status per type
//                                                    (as GET /api/v1/quota computes it),
//                                                    reputation, overrides
//   PUT  /api/admin/users/{name}/overrides {limits}  replaces the user's own rules
//   POST /api/admin/users/{name}/reset              the user's current usage back to zero
// Changes are audited (user.overrides, user.reset) and announced as config_changed.

#include "http/api_support.h"
#include "http/reputation_book.h"
#include "http/router.h"

namespace gaia::http {

// REQUIRES: everything in `ctx`, and `reputation`, outlive the router.
void add_admin_users_api(Router& router, ApiContext ctx, ReputationBook& reputation);

}  // namespace gaia::http
