#include "app/server_app.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "analytics/aggregator.h"
#include "analytics/detectors.h"
#include "analytics/rollup.h"
#include "api/admin/accounts_api.h"
#include "api/admin/alerts_api.h"
#include "api/admin/analytics_api.h"
#include "api/admin/approvals_api.h"
#include "api/admin/rules_api.h"
#include "api/admin/session_api.h"
#include "api/admin/usage_api.h"
#include "api/admin/users_api.h"
#include "api/confirm_api.h"
#include "api/exec_api.h"
#include "api/public_api.h"
#include "api/reviewer_client.h"
#include "api/service_metrics.h"
#include "api/ws_routes.h"
#include "app/alert_detectors.h"
#include "app/alert_stack.h"
#include "app/analytics_sources.h"
#include "app/chores.h"
#include "app/confirm_hook.h"
#include "app/exec_stack.h"
#include "app/health.h"
#include "app/reputation_listener.h"
#include "app/system_clock.h"
#include "app/violation_announcer.h"
#include "confirm/confirmer.h"
#include "confirm/pattern_book.h"
#include "core/limiter.h"
#include "http/server.h"
#include "http/signal_waiter.h"
#include "http/static_files.h"
#include "http/ws_hub.h"
#include "identity/directory.h"
#include "identity/session_store.h"
#include "metrics/check_stats.h"
#include "reputation/reputation_book.h"
#include "rules/rule_book.h"
#include "store/event_feed.h"
#include "store/journal/resilient_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace gaia::app {

namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr size_t kMaxWaitingApprovals = 256;

// The configured backend, retried with backoff for store_connect_retry_s while the database
// cannot be reached.
std::unique_ptr<store::Store> open_backend(const Config& config, const core::Clock& clock,
                                           std::ostream& err) {
  using Opened = core::Result<std::unique_ptr<store::Store>>;
  auto open_once = [&]() -> Opened {
    if (!config.postgres_url.empty()) {
      auto pg = store::postgres::PostgresStore::open(config.postgres_url, clock);
      if (!pg.ok()) return pg.status();
      return std::unique_ptr<store::Store>(std::move(pg.value()));
    }
    auto lite = store::sqlite::SqliteStore::open(config.sqlite_path, clock);
    if (!lite.ok()) return lite.status();
    return std::unique_ptr<store::Store>(std::move(lite.value()));
  };
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.store_connect_retry_s);
  std::chrono::milliseconds backoff{250};
  for (;;) {
    Opened backend = open_once();
    if (backend.ok()) return std::move(backend.value());
    const auto left = deadline - std::chrono::steady_clock::now();
    if (backend.status().code() != core::StatusCode::kUnavailable ||
        left <= std::chrono::seconds(0)) {
      err << "[ERROR] " << backend.status().message() << std::endl;
      if (backend.status().code() == core::StatusCode::kUnavailable) {
        err << "[ERROR] the database stayed unreachable for " << config.store_connect_retry_s
            << " s (GAIA_STORE_CONNECT_RETRY_S); giving up" << std::endl;
      }
      return nullptr;
    }
    const auto wait = std::min<std::chrono::steady_clock::duration>(backoff, left);
    err << "[ERROR] " << backend.status().message() << "; retrying in "
        << std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() << " ms"
        << std::endl;
    std::this_thread::sleep_for(wait);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

// The store: the backend wrapped so that writes survive it going away (journal/), with what
// an earlier run journalled replayed before usage is restored.
std::unique_ptr<store::Store> open_store(const Config& config, const core::Clock& clock,
                                         std::ostream& out, std::ostream& err) {
  out << (config.postgres_url.empty() ? "[INIT] Initializing SQLite database..."
                                      : "[INIT] Initializing PostgreSQL database...")
      << std::endl;
  std::unique_ptr<store::Store> backend = open_backend(config, clock, err);
  if (!backend) return nullptr;
  auto journal = store::journal::Journal::open(std::filesystem::path(config.data_dir) / "journal");
  if (!journal.ok()) {
    err << "[ERROR] " << journal.status().message() << std::endl;
    return nullptr;
  }
  const uint64_t journalled = journal.value()->records();
  store::journal::ResilientOptions options;
  options.failure = config.store_failure == StoreFailure::kClosed
                        ? store::journal::FailureMode::kClosed
                        : store::journal::FailureMode::kOpen;
  auto store = std::make_unique<store::journal::ResilientStore>(
      std::move(backend), std::move(journal.value()), clock, options);
  if (journalled > 0) {
    out << "[INIT] Replaying " << journalled << " journalled writes..." << std::endl;
    if (core::Status s = store->replay(); !s.ok()) {
      err << "[WARN] journal replay: " << s.message() << " (retried in the background)"
          << std::endl;
    }
  }
  out << "[INIT] ✓ Database connection established" << std::endl;
  return store;
}

// The admin key: GAIA_ADMIN_KEY when given, else one made on the very first start and
// printed that once.
bool bootstrap_admin(const Config& config, identity::Directory& directory, int64_t now_ms,
                     std::ostream& out, std::ostream& err) {
  constexpr std::string_view kAdmin = "admin";
  if (config.admin_key.empty() && directory.has_admin_key()) return true;
  if (!directory.find_user(kAdmin)) {
    auto user = directory.create_user(kAdmin, core::Tier::kEnterprise, now_ms);
    if (!user.ok()) {
      err << "[ERROR] creating the admin user: " << user.status().message() << std::endl;
      return false;
    }
  }
  if (!config.admin_key.empty()) {
    core::Status s = directory.adopt_key(kAdmin, store::Role::kAdmin, config.admin_key, now_ms);
    if (!s.ok()) err << "[ERROR] registering GAIA_ADMIN_KEY: " << s.message() << std::endl;
    return s.ok();
  }
  auto key = directory.create_key(kAdmin, store::Role::kAdmin, "first start", now_ms);
  if (!key.ok()) {
    err << "[ERROR] creating the admin key: " << key.status().message() << std::endl;
    return false;
  }
  out << "[INIT] Admin key (shown only this once, keep it): " << key->key << std::endl;
  return true;
}

// Gives the limiter back the usage recorded in every current calendar period.
bool restore_usage(store::Store& store, const identity::Directory& directory,
                   core::Limiter& limiter, core::Instant now, std::ostream& err) {
  // No calendar period is longer than a month: 32 days back covers every current one.
  auto rows = store.usage_since(core::to_ms(now.wall) - 32 * kDayMs);
  if (!rows.ok()) {
    err << "[ERROR] reading usage: " << rows.status().message() << std::endl;
    return false;
  }
  auto rules = limiter.rules();
  for (const store::Usage& u : rows.value()) {
    auto user = directory.user_by_id(u.user_id);
    auto type = rules->type_id(u.type);
    if (!user || !type) continue;  // a deleted user or a retired command type
    limiter.restore({{u.user_id, u.key_id, user->tier}, *type, static_cast<uint32_t>(u.used)},
                    u.day_start_ms, now);
  }
  return true;
}

// The rule options of the configured time zone.
std::optional<core::RuleSetOptions> rule_options(const Config& config, std::ostream& err) {
  auto calendar = core::Calendar::in_zone(config.time_zone);
  if (!calendar.ok()) {
    err << "[ERROR] " << calendar.status().message() << std::endl;
    return std::nullopt;
  }
  return core::RuleSetOptions{core::default_command_types(), calendar.value(), {}};
}

// The live stats' "top_users": the ten busiest users of the last five minutes.
boost::json::array top_users_json(
    const AlertMetrics& figures,
    const std::function<std::optional<std::string>(uint64_t)>& user_name) {
  boost::json::array top;
  for (const AlertMetrics::UserActivity& a : figures.top_users(10)) {
    top.push_back({{"user", user_name(a.user_id).value_or("#" + std::to_string(a.user_id))},
                   {"admitted", a.admitted},
                   {"refused", a.refused}});
  }
  return top;
}

std::string host_for_url(const std::string& address) {
  return address.find(':') == std::string::npos ? address : "[" + address + "]";
}

}  // namespace

int run_server(const Config& config, std::ostream& out, std::ostream& err) {
  SystemClock clock;
  // Catch the signals before any thread starts, so none of them dies of SIGTERM.
  http::SignalWaiter signals;

  std::unique_ptr<store::Store> store = open_store(config, clock, out, err);
  if (!store) return 1;
  std::filesystem::path secret = std::filesystem::path(config.data_dir) / "key.secret";
  auto hasher = identity::KeyHasher::from_file(secret.string());
  if (!hasher.ok()) {
    err << "[ERROR] " << hasher.status().message() << std::endl;
    return 1;
  }
  auto directory = identity::Directory::load(*store, hasher.value());
  if (!directory.ok()) {
    err << "[ERROR] loading users and keys: " << directory.status().message() << std::endl;
    return 1;
  }
  const core::Instant started = clock.now();
  if (!bootstrap_admin(config, *directory.value(), core::to_ms(started.wall), out, err)) return 1;

  out << "[INIT] Initializing Rate Limiting Service..." << std::endl;
  auto options = rule_options(config, err);
  if (!options) return 1;
  auto defaults = core::RuleSet::compile(core::default_rules(), *options);
  if (!defaults.ok()) {
    err << "[ERROR] rules: " << defaults.status().message() << std::endl;
    return 1;
  }
  auto limiter = std::make_unique<core::Limiter>(defaults.value(), core::LimiterOptions{});
  auto rule_book = rules::RuleBook::load(*store, *limiter, *options);
  if (!rule_book.ok()) {
    err << "[ERROR] rules: " << rule_book.status().message() << std::endl;
    return 1;
  }
  if (!restore_usage(*store, *directory.value(), *limiter, started, err)) return 1;
  out << "[INIT] ✓ Rate Limiting Service initialized" << std::endl;

  // The confirmation policy, the reviewer when enabled, and reputation (kept in the store).
  auto patterns = confirm::PatternBook::load(*store, core::to_ms(started.wall));
  if (!patterns.ok()) {
    err << "[ERROR] confirmation patterns: " << patterns.status().message() << std::endl;
    return 1;
  }
  std::unique_ptr<api::ReviewerClient> reviewer;
  if (config.confirm_ai_enabled) {
    auto made = api::ReviewerClient::make(
        {config.confirm_reviewer_url, std::chrono::milliseconds(config.confirm_reviewer_timeout_ms),
         config.confirm_reviewer_max_inflight});
    if (!made.ok()) {
      err << "[ERROR] confirmation reviewer: " << made.status().message() << std::endl;
      return 1;
    }
    reviewer = std::move(made.value());
  }
  reputation::ReputationBook reputation(core::ReputationConfig{}, clock);
  if (core::Status s = reputation.load(*store); !s.ok()) {
    err << "[ERROR] reputation: " << s.message() << std::endl;
    return 1;
  }
  directory.value()->set_limit_scales(reputation.limit_scales());
  // Every path writes admissions, refusals and executions through the store: those who
  // follow them listen to the feed.
  store::EventFeed feed(*store, clock);
  auto user_name = [&directory](uint64_t id) -> std::optional<std::string> {
    auto user = directory.value()->user_by_id(id);
    return user ? std::optional<std::string>(user->name) : std::nullopt;
  };
  ReputationListener reputation_listener(reputation, user_name);
  feed.add_listener(&reputation_listener);
  // Analytics: aggregates kept in memory as events arrive, flushed and compacted by chores of
  // their own (store I/O never holds up the limiter's sweeps), read by reports and detectors.
  analytics::Aggregator aggregator;
  feed.add_listener(&aggregator);
  const auto days = [](unsigned n) { return std::chrono::hours(24) * n; };
  analytics::Rollup rollup(*store, aggregator, analytics::Buckets(options->calendar),
                           {days(config.analytics_minute_days), days(config.analytics_hour_days),
                            days(config.analytics_day_days)});
  ReputationMoves reputation_moves(reputation);
  LimiterQuotas limiter_quotas(*store, *limiter, *directory.value(), clock);
  const analytics::Detectors detectors(
      *store, rollup.buckets(),
      [&user_name](uint64_t id) { return user_name(id).value_or(std::to_string(id)); },
      &reputation_moves, &limiter_quotas);
  confirm::Confirmer confirmer(*patterns.value(), reviewer.get(), &reputation, feed, clock,
                               {*confirm::parse_verdict(config.confirm_fallback)});
  ConfirmHook confirm_hook(confirmer, *limiter);
  out << "[INIT] ✓ Confirmation policy: " << patterns.value()->list().size() << " patterns, "
      << (reviewer ? "reviewer " + config.confirm_reviewer_url + " (fallback " +
                         config.confirm_fallback + ")"
                   : std::string("no reviewer"))
      << std::endl;

  metrics::MetricsRegistry registry;
  api::ServiceMetrics metrics(registry, *store);
  const bool postgres = !config.postgres_url.empty();
  ExecStack exec(config, clock, *limiter, feed, &confirm_hook);
  // The live admin feed: admissions and refusals, and the executor's load, throttle and
  // queue every few seconds; refusals as they happen. It outlives the server it serves.
  // The busiest users come from the alerts' live figures, made once the hub is (below).
  const AlertMetrics* live_figures = nullptr;
  auto stats = [&registry, &exec, &live_figures, &user_name] {
    boost::json::object o = metrics::check_stats(registry);
    o["executor"] = exec.status_json();
    if (live_figures != nullptr) o["top_users"] = top_users_json(*live_figures, user_name);
    return o;
  };
  http::WsHub hub(clock, stats, api::admin_key_check(*directory.value()), {});
  ViolationAnnouncer violation_announcer(hub, user_name);
  feed.add_listener(&violation_announcer);
  // Alerts: rules evaluated on their own timer against the live figures.
  AlertMetricSources alert_sources;
  alert_sources.executor = [&exec] { return exec.status_json(); };
  alert_sources.store = store.get();
  alert_sources.ws_drops = [&hub] {
    const http::WsHealth h = hub.health();
    return h.dropped + h.closed_slow;
  };
  alert_sources.user_name = user_name;
  alert_sources.quota_use = [&](uint64_t id, std::map<std::string, double>& pct) {
    auto user = directory.value()->user_by_id(id);
    if (!user) return;
    auto rules = limiter->rules();
    for (const core::QuotaLine& line :
         limiter->quota_status({user->id, 0, user->tier}, clock.now())) {
      const core::CompiledLimit& l = line.state.limit;
      if (l.kind != core::LimitKind::kCalendar || l.amount == 0) continue;
      const std::string type = line.type < rules->command_types().size()
                                   ? rules->command_types()[line.type].name
                                   : std::string("*");
      pct[type] = std::max(pct[type], 100.0 * line.state.used / l.amount);
    }
  };
  AlertDetectors alert_detectors(detectors, clock);
  alert_sources.detectors = [&alert_detectors](std::string_view metric, alerts::ScopeKind scope,
                                               std::vector<alerts::Sample>& out) {
    alert_detectors.read(metric, scope, out);
  };
  auto alerting = AlertStack::make(config, clock, feed, hub, std::move(alert_sources), out);
  if (!alerting.ok()) {
    err << "[ERROR] alerts: " << alerting.status().message() << std::endl;
    return 1;
  }
  feed.add_listener(&alerting.value()->listener());
  live_figures = &alerting.value()->figures();
  const api::ApiContext api{*limiter,           feed, *directory.value(), clock, metrics,
                            *rule_book.value(), hub,  &reputation};
  http::Router router;
  router.set_observer(metrics.route_observer());
  api::add_metrics_route(router, registry, *directory.value(), config.metrics_open);
  add_health_route(router, clock,
                   {clock.mono_now(), postgres ? "postgres" : "sqlite",
                    postgres ? redacted_url(config.postgres_url) : config.sqlite_path, store.get(),
                    [&exec] { return exec.status_json(); },
                    [&alerting] { return alerting.value()->health_json(); }});
  api::add_public_api(router, api);
  api::admin::add_admin_api(router, api);
  api::admin::add_admin_rules_api(router, api);
  api::admin::add_admin_usage_api(router, api);
  api::admin::add_admin_users_api(router, api, reputation);
  // Agents' commands that need a person wait for an admin here, when the operator allows it.
  confirm::ApprovalDesk approvals(clock, std::chrono::seconds(config.confirm_approval_wait_s),
                                  kMaxWaitingApprovals);
  api::admin::add_approvals_api(router, api, approvals);
  api::add_exec_api(router, api, exec.executor(),
                    {.approvals = config.confirm_approval_wait_s > 0 ? &approvals : nullptr});
  api::add_confirm_api(router, api, *patterns.value(), confirmer);
  api::admin::add_alerts_api(router, api, alerting.value()->evaluator());
  api::admin::add_analytics_api(router, api, {rollup, detectors});
  {
    const alerts::EvaluatorSummary summary = alerting.value()->evaluator().summary();
    out << "[INIT] ✓ Alerts: " << summary.enabled_rules << " of " << summary.rules
        << " rules enabled, every " << config.alert_interval_s << " s, webhook "
        << (alerting.value()->has_webhook() ? config.alert_webhook_url : std::string("off"))
        << std::endl;
  }
  out << "[INIT] ✓ Analytics: aggregates flushed every " << config.analytics_flush_s << " s, kept "
      << config.analytics_minute_days << " d by minute, " << config.analytics_hour_days
      << " d by hour, " << config.analytics_day_days << " d by day" << std::endl;
  out << "[INIT] ✓ Executor: " << config.exec_workers << " workers, "
      << (!exec.runner().cgroups_available() ? "rlimits only (" + exec.runner().cgroup_note() + ")"
          : config.exec_cgroups == "auto"    ? "a cgroup per command"
                                             : "a cgroup per command with limits")
      << std::endl;
  // Dashboard sessions.
  identity::SessionStore sessions(clock, *directory.value(), {});
  api::admin::add_session_routes(router, *directory.value(), sessions);
  api::add_ws_routes(router, hub, *directory.value());
  // The dashboard, embedded in the binary (web/).
  const http::StaticFiles dashboard(web::dashboard_files(), "/admin/quotas");
  http::add_static_routes(router, dashboard);
  out << "[INIT] ✓ Dashboard: " << web::dashboard_files().size()
      << " files embedded, served at /admin/quotas" << std::endl;
  http::Server server(
      {.address = config.bind_address, .port = config.port, .io_threads = config.io_threads},
      std::move(router));
  if (core::Status s = server.start(); !s.ok()) {
    err << "[ERROR] HTTP server: " << s.message() << std::endl;
    return 1;
  }
  hub.start();
  exec.start();
  alerting.value()->start();

  const int64_t retention_ms = int64_t{config.retention_days} * kDayMs;
  Chores chores({
      {std::chrono::seconds(1),
       [&] {
         for (int i = 0; i < core::Limiter::kShards; ++i) limiter->sweep(clock.now());
         exec.tick();
         approvals.expire();
         // Reputation moves the users' limits on their next check.
         directory.value()->set_limit_scales(reputation.limit_scales());
       }},
      {std::chrono::seconds(2),
       [&] {
         if (core::Status s = reputation.flush(*store); !s.ok()) {
           err << "[WARN] saving reputation: " << s.message() << std::endl;
         }
       }},
      {std::chrono::hours(1),
       [&] {
         auto deleted =
             store->delete_executions_before(core::to_ms(clock.now().wall) - retention_ms);
         if (!deleted.ok()) err << "[WARN] retention: " << deleted.status().message() << std::endl;
       }},
  });

  auto analytics_chores = std::make_unique<Chores>(std::vector<Chores::Chore>{
      {std::chrono::seconds(config.analytics_flush_s),
       [&] {
         if (core::Status s = rollup.flush(); !s.ok()) {
           err << "[WARN] analytics flush: " << s.message() << std::endl;
         }
       }},
      {std::chrono::minutes(1),
       [&] {
         if (core::Status s = rollup.compact(); !s.ok()) {
           err << "[WARN] analytics compaction: " << s.message() << std::endl;
         }
       }},
      {std::chrono::hours(1),
       [&] {
         if (core::Status s = rollup.retain(core::to_ms(clock.now().wall)); !s.ok()) {
           err << "[WARN] analytics retention: " << s.message() << std::endl;
         }
       }},
  });

  std::string where = host_for_url(config.bind_address) + ":" + std::to_string(server.port());
  out << "[INFO] Starting HTTP server on " << where << std::endl;
  // A wildcard address is no place to browse to; the loopback name is.
  const bool wildcard = config.bind_address == "0.0.0.0" || config.bind_address == "::";
  out << "[INFO] Dashboard: http://"
      << (wildcard ? "localhost:" + std::to_string(server.port()) : where) << "/admin/quotas"
      << std::endl;
  out << "[INFO] Dashboard sign-in: an admin key ("
      << (config.admin_key.empty() ? "the one printed at the first start, or set GAIA_ADMIN_KEY"
                                   : "GAIA_ADMIN_KEY")
      << ")" << std::endl;
  out << "[INFO] Health: http://" << where << "/health" << std::endl;

  signals.wait();
  out << "[INFO] Shutting down" << std::endl;
  // No more alert rounds: they would publish to the hub and log.
  alerting.value()->stop();
  hub.stop();   // first: it then sends nothing to connections the server is closing
  exec.stop();  // running commands are cancelled and recorded before the store flushes
  server.stop();
  reviewer.reset();  // waits for reviews under way, while the confirmer they call still lives
  if (core::Status s = reputation.flush(*store); !s.ok()) {
    err << "[ERROR] saving reputation: " << s.message() << std::endl;
  }
  // What the aggregator holds since the last flush: every event is in by now.
  analytics_chores.reset();
  if (core::Status s = rollup.flush(); !s.ok()) {
    err << "[ERROR] flushing the analytics aggregates: " << s.message() << std::endl;
  }
  if (core::Status s = store->flush(); !s.ok()) {
    err << "[ERROR] flushing the store: " << s.message() << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace gaia::app
