#pragma once
// The admin endpoints of users beyond create/tier/keys (admin keys only; docs/api.md, "Users"):
//   GET  /api/admin/users?q=&tier=&limit=&offset=   list and search (q: part of the name,
//                                                    any case), by name; offset pagination
//   GET  /api/admin/users/{name}                    one user: keys, quota status per type
//                                                    (as GET /api/v1/quota computes it),
//                                                    reputation, overrides
//   PUT  /api/admin/users/{name}/overrides {limits}  replaces the user's own rules
//   POST /api/admin/users/{name}/reset              the user's current usage back to zero
//   POST /api/admin/users/{name}/reputation/reset   the user's reputation back to its start
// Changes are audited (user.overrides, user.reset, user.reputation.reset); overrides and
// usage resets are announced as config_changed.

#include "api/api_support.h"
#include "http/router.h"
#include "reputation/reputation_book.h"

namespace gaia::api::admin {

// REQUIRES: everything in `ctx`, and `reputation`, outlive the router.
void add_admin_users_api(http::Router& router, ApiContext ctx,
                         reputation::ReputationBook& reputation);

}  // namespace gaia::api::admin
