#pragma once
// The analytics endpoints (admin only; docs/api.md, docs/analytics.md):
//   GET  /api/admin/quotas/analytics?from=&to=&bucket=&group_by=&user=&type=&outcome=
//        &metrics=&format=json|csv        a report from the aggregates; CSV is streamed
//   GET  /api/admin/analytics/{trend,spikes,violators,forecast,top}?...
//        {"kind","items":[{...,"explanation"}]}
//   POST /api/admin/analytics/rebuild {from?, to?}   rebuilds aggregates from raw rows; audited
// Bad parameters answer 400 naming the parameter; nothing is changed.

#include "analytics/detectors.h"
#include "analytics/rollup.h"
#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api::admin {

struct AnalyticsServices {
  analytics::Rollup& rollup;
  const analytics::Detectors& detectors;
};

// REQUIRES: everything in `ctx` and `services` outlives the router.
void add_analytics_api(http::Router& router, ApiContext ctx, AnalyticsServices services);

}  // namespace gaia::api::admin
