#pragma once
// The classes of blocking work the API's routes run in, each on a pool of its own
// (http::Router::add_pool), so that a flood of one class never delays another:
//   admin      the admin routes that read or write the store: a write waits for its commit
//              (an fsync, or a round trip to PostgreSQL), which would stall every check on
//              an io thread
//   analytics  reports, detectors and rebuilds over the aggregates
//   exec       POST /api/v1/exec up to the point its command is under way (a reviewer's
//              answer is waited for without a thread)
// A request that finds its class full is answered 503 with Retry-After (router.h).

#include <string_view>

#include "http/router.h"

namespace gaia::api {

inline constexpr std::string_view kAdminPool = "admin";
inline constexpr std::string_view kAnalyticsPool = "analytics";
inline constexpr std::string_view kExecPool = "exec";

// The size of each class (GAIA_HTTP_*_THREADS and GAIA_HTTP_*_QUEUE).
struct ApiPools {
  http::PoolLimits admin{.threads = 2, .max_queued = 64};
  http::PoolLimits analytics{.threads = 2, .max_queued = 16};
  http::PoolLimits exec{.threads = 2, .max_queued = 256};
};

// Declares the pools; call before any add_*_api that registers a blocking route.
void add_api_pools(http::Router& router, const ApiPools& pools);

}  // namespace gaia::api
