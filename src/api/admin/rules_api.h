#pragma once
// The admin endpoints of quota rules (admin keys only; docs/api.md, "Quota rules"):
//   GET    /api/admin/quotas/config         every rule: built-in ones (read-only) and stored ones
//   POST   /api/admin/quotas/config         {rule}  create; 201 with its id
//   PUT    /api/admin/quotas/config/{id}    {rule}  replace a stored rule
//   DELETE /api/admin/quotas/config/{id}            remove a stored rule
// A change is validated against the whole set, stored, audited (rule.create/update/delete,
// with before and after), announced as config_changed, and applies to the next check.

#include <boost/json/object.hpp>

#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api::admin {

// {"id", "builtin", "updated_at_ms"?, "overridden"?, ...the rule JSON of rules/rule_json.h};
// a built-in rule's id is its name ("default-shell").
boost::json::object book_rule_json(const rules::BookRule& rule);

// REQUIRES: everything in `ctx` outlives the router.
void add_admin_rules_api(http::Router& router, ApiContext ctx);

}  // namespace gaia::api::admin
