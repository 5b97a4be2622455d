#pragma once
// The GET /health endpoint: liveness, version, uptime and which store is in use.
// The handler reads `clock` on whichever io thread serves the request.

#include <string>

#include "core/clock.h"
#include "http/router.h"

namespace gaia::app {

struct HealthInfo {
  core::MonoTime started;  // uptime is measured from here
  std::string store_kind;  // e.g. "sqlite"
  std::string store_path;  // e.g. "./var/gaia.db"
};

// Registers GET /health on `router`, answering 200
// {"status":"ok","version":...,"uptime_seconds":N,"store":{"kind":...,"path":...}}.
// REQUIRES: `clock` outlives the router and every server using it.
void add_health_route(http::Router& router, const core::Clock& clock, HealthInfo info);

}  // namespace gaia::app
