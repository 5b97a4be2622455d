#pragma once
// The admin endpoints of users and keys (admin keys only; docs/api.md). Every change is
// audited and takes effect on the next request.
//   POST   /api/admin/users                 {name, tier?}   create a user
//   PUT    /api/admin/users/{name}          {tier}          change the tier
//   PATCH  /api/admin/users/{name}          {webhook_url}   set the user's webhook ("" clears)
//   POST   /api/admin/users/{name}/keys     {role?, label?} new key, shown once
//   DELETE /api/admin/keys/{id}                             revoke a key

#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api::admin {

// REQUIRES: everything in `ctx` outlives the router.
void add_admin_api(http::Router& router, ApiContext ctx);

}  // namespace gaia::api::admin
