#pragma once
// The server's health, in three routes:
//   GET /health            liveness: the process answers. 200 {"status":"ok","version",
//                          "uptime_seconds"}; nothing else (no path, no address), to anyone.
//   GET /ready             readiness: 200 {"ready":true}, or 503 {"ready":false,"reasons":[...]}
//                          with Retry-After while the store is down (journaling or failing),
//                          the shared counters (Redis) are unreachable, the executor has no
//                          seat to run a command on, or the server is draining for shutdown.
//                          The reasons are fixed words: "store", "counters", "executor",
//                          "draining". To anyone (a load balancer asks).
//   GET /api/admin/health  the details, for admins (see health_details()).
// The handlers read `clock` on whichever io thread serves the request.

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "http/router.h"
#include "identity/directory.h"
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
  std::function<bool()> draining = nullptr;                 // true once shutdown began
};

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
//              "failure_policy":"closed"|"open"|"local","error":...} (see SharedCounters),
//  "ready":bool,"not_ready":[reasons as /ready gives them]}.
// A node whose change feed is disconnected is "degraded" too: it may act on stale state.
// A store that is failing, or journaling because its database is away, makes the status
// "degraded" with the reason in store.error; so do counters that are not "ok" (Redis away:
// checks follow the failure policy), with counters.error.
boost::json::object health_details(const HealthInfo& info, const core::Clock& clock);

// Why the server should not be sent work now ("store", "counters", "executor", "draining");
// empty when it is ready.
std::vector<std::string> not_ready_reasons(const HealthInfo& info);

// Registers GET /health and GET /ready, and, when `directory` is set, GET /api/admin/health
// (an admin key or session; 401/403 otherwise).
// REQUIRES: `clock` and `directory` outlive the router and every server using it.
void add_health_routes(http::Router& router, const core::Clock& clock, HealthInfo info,
                       const identity::Directory* directory);

}  // namespace gaia::app
