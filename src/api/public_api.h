#pragma once
// The public API a client key uses (docs/api.md):
//   POST /api/v1/check       may I run this? 200 admitted / 429 refused, with RateLimit fields
//   POST /api/v1/executions  record a finished run; answered once durable, idempotent on id
//   GET  /api/v1/quota       my limits and what is left of them

#include "api/api_support.h"
#include "exec/quota_check.h"
#include "http/router.h"

namespace gaia::api {

// The check is `quota_check`'s, shared with every other front end (Envoy's rate limit service).
// REQUIRES: everything in `ctx`, and `quota_check`, outlive the router.
void add_public_api(http::Router& router, ApiContext ctx, exec::QuotaCheck& quota_check);

}  // namespace gaia::api
