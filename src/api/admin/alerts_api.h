#pragma once
// The alert endpoints (admin only; docs/api.md, "Alerts"):
//   GET    /api/admin/alerts?state=&severity=&rule=&limit=&before=   newest first, paged
//   POST   /api/admin/alerts/{id}/ack        {note?}          acknowledge (who, when, note)
//   POST   /api/admin/alerts/{id}/silence    {until_ms}       no notifications until then
//   GET    /api/admin/alerts/rules                             the rules and the metric catalog
//   POST   /api/admin/alerts/rules           {rule}           201 with its id
//   PUT    /api/admin/alerts/rules/{id}      {rule}           replace
//   DELETE /api/admin/alerts/rules/{id}
// Every change is audited (who, when, before, after), takes effect at the evaluator's next
// round without a restart, and is announced on the live feed (ctx.feed): rule changes as
// "config_changed" {what:"alert_rule", action, id, by}, acks and silences as "alert".

#include <boost/json/object.hpp>
#include <functional>
#include <string_view>

#include "alerts/evaluator.h"
#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api::admin {

// REQUIRES: everything in `ctx` and `evaluator` outlives the router.
void add_alerts_api(http::Router& router, const ApiContext& ctx, alerts::Evaluator& evaluator);

}  // namespace gaia::api::admin
