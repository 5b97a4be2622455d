#pragma once
// The GET /health endpoint: liveness, version, uptime and which store is in use.
// The handler reads `clock` on whichever io thread serves the request.

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "core/clock.h"
#include "http/router.h"
#include "store/store.h"

namespace gaia::app {

struct HealthInfo {
  core::MonoTime started;         // uptime is measured from here
  std::string store_kind;         // "sqlite" or "postgres"
  std::string store_path;         // e.g. "./var/gaia.db", or the URL without its password
  store::Store* store = nullptr;  // its writer's state is reported when set
  std::function<boost::json::object()> executor;            // the "executor" section, when set
  std::function<boost::json::object()> alerts;              // the "alerts" section, when set
  std::function<boost::json::object()> rls;                 // the "rls" section, when set
  std::function<boost::json::object()> cluster;             // the "cluster" section, when set
  std::function<boost::json::object()> counters = nullptr;  // the "counters" section, when set
};

// Registers GET /health on `router`, answering 200
// {"status":"ok"|"degraded","version":...,"uptime_seconds":N,
//  "store":{"kind":...,"path":...,"state":"ok"|"journaling"|"failing","error":...,
//           "queued_writes":N,"commits":N,"journal_bytes":N,"journal_records":N,
//           "admissions_paused":bool},
//  "executor":{...}} (see ExecStack::status_json),
//  "alerts":{"firing":N,"pending":N,"rules":N,"webhook":{"queued","delivered","failed",
//            "last_error"}|null} (see app/alert_stack.h),
//  "rls":{"listening":bool,"address":...,"port":N,"domains":[...],"calls":N}
//        (Envoy's rate limit service; only "listening":false when off),
//  "cluster":{"clustered":bool,"node","live_nodes","feed":{"connected",...},"relay_dropped"}
//        (app/cluster_side.h; only "clustered":false on one node),
//  "counters":{"backend":"memory"|"redis","state":"ok"|"unreachable","url":...,
//              "failure_policy":"closed"|"open"|"local","error":...} (see SharedCounters).
// A node whose change feed is disconnected is "degraded" too: it may act on stale state.
// A store that is failing, or journaling because its database is away, makes the status
// "degraded" with the reason in store.error (still 200: checks keep working); so do counters
// that are not "ok" (Redis away: checks follow the failure policy), with counters.error.
// REQUIRES: `clock` outlives the router and every server using it.
void add_health_route(http::Router& router, const core::Clock& clock, HealthInfo info);

}  // namespace gaia::app
