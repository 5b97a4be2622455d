#include "app/routes.h"

#include <chrono>

#include "api/admin/accounts_api.h"
#include "api/admin/alerts_api.h"
#include "api/admin/analytics_api.h"
#include "api/admin/approvals_api.h"
#include "api/admin/cluster_api.h"
#include "api/admin/dead_letters_api.h"
#include "api/admin/rules_api.h"
#include "api/admin/session_api.h"
#include "api/admin/types_api.h"
#include "api/admin/usage_api.h"
#include "api/admin/users_api.h"
#include "api/api_pools.h"
#include "api/confirm_api.h"
#include "api/exec_api.h"
#include "api/openapi_route.h"
#include "api/public_api.h"
#include "api/ws_routes.h"
#include "app/health.h"
#include "app/server_metrics.h"
#include "core/redact_url.h"

namespace gaia::app {

namespace {

constexpr size_t kMaxWaitingApprovals = 256;

// /health: the store in use and how it fares, the executor, the alerts and the cluster.
HealthInfo health_info(const Config& config, const core::Clock& clock, store::Store& store,
                       ExecStack& exec, LiveSide& live, const ClusterSide& cluster,
                       const rls::RlsServer* rls, const SharedCounters* shared) {
  const bool postgres = !config.postgres_url.empty();
  return {clock.mono_now(),
          postgres ? "postgres" : "sqlite",
          postgres ? core::redacted_url(config.postgres_url) : config.sqlite_path,
          &store,
          [&exec] { return exec.status_json(); },
          [&live] { return live.alerting().health_json(); },
          [rls]() -> boost::json::object {
            if (rls == nullptr) return {{"listening", false}};
            return rls->health_json();
          },
          [&cluster] { return cluster.health_json(); },
          [shared]() -> boost::json::object {
            if (shared == nullptr) return {{"backend", "memory"}, {"state", "ok"}};
            return shared->health_json();
          },
          [&exec] { return exec.executor().draining(); }};
}

}  // namespace

RouteState::RouteState(const Config& config, const core::Clock& clock,
                       const identity::Directory& directory)
    : approvals(clock, std::chrono::seconds(config.confirm_approval_wait_s), kMaxWaitingApprovals,
                config.confirm_approval_max_per_user),
      // A cookie given over HTTPS must never travel over plain HTTP.
      sessions(clock, directory, {.secure_cookie = !config.tls_cert_file.empty()}),
      dashboard(web::dashboard_files(), "/admin/quotas") {}

http::Router make_routes(const Config& config, const core::Clock& clock, store::Store& store,
                         Services& services, ExecStack& exec, LiveSide& live,
                         const ClusterSide& cluster, RouteState& state, const rls::RlsServer* rls) {
  api::ApiContext api{
      *services.limiter,   *services.feed, *services.directory,       clock, *services.metrics,
      *services.rule_book, live.hub(),     services.reputation.get(), &exec};
  api.quota = services.quota.get();
  if (SharedCounters* shared = services.shared_counters.get()) {
    api.reset_shared = [shared](core::UserId user) { return shared->reset_user(user); };
  }
  http::Router router;
  router.set_observer(services.metrics->route_observer());
  api::add_api_pools(
      router,
      {.admin = {.threads = config.http_admin_threads, .max_queued = config.http_admin_queue},
       .analytics = {.threads = config.http_analytics_threads,
                     .max_queued = config.http_analytics_queue},
       .exec = {.threads = config.http_exec_threads, .max_queued = config.http_exec_queue}});
  // This process's own figures come from the real /proc, whatever GAIA_PROC_ROOT says.
  api::add_metrics_route(router, *services.registry, *services.directory, config.metrics_open,
                         [] { return render_process_metrics("/proc"); });
  api::add_openapi_route(router);
  add_health_routes(
      router, clock,
      health_info(config, clock, store, exec, live, cluster, rls, services.shared_counters.get()),
      services.directory.get());
  api::add_public_api(router, api, *services.quota);
  api::admin::add_admin_api(router, api);
  api::admin::add_admin_rules_api(router, api);
  api::admin::add_admin_types_api(router, api);
  api::admin::add_admin_usage_api(router, api);
  api::admin::add_dead_letters_api(router, api);
  api::admin::add_admin_users_api(router, api, *services.reputation);
  api::admin::add_approvals_api(router, api, state.approvals);
  api::add_exec_api(router, api, exec.executor(),
                    {.approvals = config.confirm_approval_wait_s > 0 ? &state.approvals : nullptr});
  api::add_confirm_api(router, api, *services.patterns, *services.confirmer);
  api::admin::add_alerts_api(router, api, live.alerting().evaluator());
  api::admin::add_analytics_api(router, api, {*services.rollup, *services.detectors});
  api::admin::add_cluster_api(router, api,
                              {cluster.clustered(), [&cluster] { return cluster.nodes(); }});
  api::admin::add_session_routes(router, *services.directory, state.sessions);
  api::add_ws_routes(router, live.hub(), *services.directory);
  http::add_static_routes(router, state.dashboard);
  return router;
}

}  // namespace gaia::app
