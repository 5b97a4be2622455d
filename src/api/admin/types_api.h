#pragma once
// The admin endpoints of command types and tiers (admin keys only; docs/api.md, "Command
// types"):
//   GET    /api/admin/types          every live type: built-in ones, then those admins added
//   POST   /api/admin/types          {"name","description"?,"limits"?:{tier:[limit,...]}} add a
//                                    type, its default limits per tier as tier rules; 201
//   DELETE /api/admin/types/{name}   remove an added type and every rule naming it
//   GET    /api/admin/tiers          the tiers and how each scales the default limits
// What the dashboard offers (type pickers, tier pickers) comes from here. A change is
// validated first, stored, audited (type.create/delete), announced as config_changed, and
// applies to the next check, exec and rule.
// Threads: handlers may run on any thread; the rule book serialises changes.

#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api::admin {

// REQUIRES: everything in `ctx` outlives the router.
void add_admin_types_api(http::Router& router, ApiContext ctx);

}  // namespace gaia::api::admin
