#pragma once
// The route table of gaia_server: every HTTP route, registered once, on one router: /metrics,
// /health, the public API, the admin API (accounts, rules, usage, users, approvals, alerts,
// analytics, session), executions, confirmation, the WebSocket routes and the embedded
// dashboard. RouteState holds what only the routes (and the chores) use.
//
// Threads: built on the main thread before the router is handed to the HTTP server.

#include "app/cluster_side.h"
#include "app/config.h"
#include "app/exec_stack.h"
#include "app/live_side.h"
#include "app/services.h"
#include "confirm/approval_desk.h"
#include "http/router.h"
#include "http/static_files.h"
#include "identity/session_store.h"
#include "rls/rls_server.h"

namespace gaia::app {

// What the routes serve that the services do not own. Must outlive the router.
struct RouteState {
  // `clock` and `directory` must outlive the state.
  RouteState(const Config& config, const core::Clock& clock, const identity::Directory& directory);

  // Agents' commands that need a person wait for an admin here, when the operator allows it
  // (GAIA_CONFIRM_APPROVAL_WAIT_S > 0); the chores expire what waited too long.
  confirm::ApprovalDesk approvals;
  identity::SessionStore sessions;    // dashboard sign-ins
  const http::StaticFiles dashboard;  // embedded in the binary (web/), at /admin/quotas
};

// The router with every route, observed by the service metrics. Each route is registered
// once (http::Router throws std::logic_error on a second registration). `store` is the one
// /health reports on, as it does on `rls`, Envoy's rate limit service (null when off).
// Everything given must outlive the router.
http::Router make_routes(const Config& config, const core::Clock& clock, store::Store& store,
                         Services& services, ExecStack& exec, LiveSide& live,
                         const ClusterSide& cluster, RouteState& state, const rls::RlsServer* rls);

}  // namespace gaia::app
