#pragma once
// The public API a client key uses (docs/api.md):
//   POST /api/v1/check       may I run this? 200 admitted / 429 refused, with RateLimit fields
//   POST /api/v1/executions  record a finished run; answered once durable, idempotent on id
//   GET  /api/v1/quota       my limits and what is left of them

#include "api/api_support.h"
#include "http/router.h"

namespace gaia::api {

// REQUIRES: everything in `ctx` outlives the router.
void add_public_api(http::Router& router, ApiContext ctx);

}  // namespace gaia::api
