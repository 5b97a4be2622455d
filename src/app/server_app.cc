#include "app/server_app.h"

#include <chrono>
#include <string>

#include "app/server_chores.h"
#include "app/server_metrics.h"
#include "app/stores.h"
#include "app/system_clock.h"
#include "core/redact_url.h"
#include "http/signal_waiter.h"
#include "http/static_files.h"

namespace gaia::app {

namespace {

std::string host_for_url(const std::string& address) {
  return address.find(':') == std::string::npos ? address : "[" + address + "]";
}

}  // namespace

ServerApp::ServerApp(const Config& config, const core::Clock& clock, std::ostream& out,
                     std::ostream& err)
    : config_(config), clock_(clock), out_(out), err_(err) {}

ServerApp::~ServerApp() = default;

bool ServerApp::build() {
  store_ = open_store(config_, clock_, out_, err_);
  if (!store_) return false;
  services_ = Services::make(config_, clock_, *store_, out_, err_);
  if (!services_) return false;
  exec_ = std::make_unique<ExecStack>(
      config_, clock_, *services_->limiter, *services_->feed, services_->confirm_hook.get(),
      services_->shared_counters ? services_->quota.get() : nullptr);
  // Commands run as a configured account, never as root by default: without it, none run.
  if (const core::Status& s = exec_->runner().status(); !s.ok()) {
    err_ << "[ERROR] Executor: " << s.message() << std::endl;
    return false;
  }
  services_->quota->set_load_signal(exec_.get());
  // Commands Gaia runs warn as checks do, through the same thresholds and listener.
  exec_->executor().set_quota_warnings(services_->quota.get());
  live_ = LiveSide::make(config_, clock_, *store_, *services_, *exec_, out_, err_);
  if (!live_) return false;
  add_server_metrics(*services_->registry, *exec_, *live_);
  cluster_ = ClusterSide::make(config_, clock_, *store_, *services_, *exec_, *live_, err_);
  if (!cluster_) return false;
  if (!build_rls()) return false;
  route_state_ = std::make_unique<RouteState>(config_, clock_, *services_->directory);
  http::Router router = make_routes(config_, clock_, *store_, *services_, *exec_, *live_, *cluster_,
                                    *route_state_, rls_.get());
  report_parts();
  if (!config_.access_log.empty()) {
    auto opened = AccessLog::open(config_.access_log, log_options(config_), *services_->directory);
    if (!opened.ok()) {
      err_ << "[ERROR] access log: " << opened.status().message() << std::endl;
      return false;
    }
    access_log_ = std::move(opened.value());
  }
  http::ServerOptions http_options{
      .address = config_.bind_address, .port = config_.port, .io_threads = config_.io_threads};
  http_options.max_connections = config_.http_max_connections;
  http_options.max_connections_per_ip = config_.http_max_connections_per_ip;
  http_options.observer = &services_->metrics->connections();
  http_options.access = access_log_.get();
  http_options.clock = &clock_;
  http_options.tls_cert_file = config_.tls_cert_file;
  http_options.tls_key_file = config_.tls_key_file;
  http_ = std::make_unique<http::Server>(std::move(http_options), std::move(router));
  return true;
}

bool ServerApp::build_rls() {
  if (!config_.rls_port) return true;
  // The settings were validated when read: these parse.
  auto domains = rls::parse_domains(config_.rls_domains);
  auto trusted = rls::TrustedPeers::parse(config_.rls_trusted_peers);
  if (!domains.ok() || !trusted.ok()) {
    err_ << "[ERROR] rate limit service: "
         << (domains.ok() ? trusted.status() : domains.status()).message() << std::endl;
    return false;
  }
  rls_ = std::make_unique<rls::RlsServer>(
      rls::RlsOptions{config_.bind_address, *config_.rls_port, std::move(domains.value()),
                      std::move(trusted.value()), config_.rls_threads},
      *services_->quota, *services_->directory, *services_->registry, clock_);
  return true;
}

bool ServerApp::start() {
  if (core::Status s = http_->start(); !s.ok()) {
    err_ << "[ERROR] HTTP server: " << s.message() << std::endl;
    return false;
  }
  if (rls_) {
    if (core::Status s = rls_->start(); !s.ok()) {
      err_ << "[ERROR] rate limit service: " << s.message() << std::endl;
      http_->stop();
      return false;
    }
  }
  live_->hub().start();
  cluster_->start(host_for_url(config_.bind_address) + ":" + std::to_string(http_->port()));
  exec_->start();
  live_->alerting().start();
  upkeep_chores_ = start_upkeep_chores(config_, clock_, *store_, *services_, *exec_,
                                       route_state_->approvals, err_);
  analytics_chores_ = start_analytics_chores(config_, clock_, *services_->rollup, err_);
  report_serving();
  return true;
}

void ServerApp::drain() {
  exec::Executor& executor = exec_->executor();
  executor.drain();
  if (executor.running() == 0 && executor.wait_idle(std::chrono::milliseconds(0))) return;
  out_ << "[INFO] Draining: running commands have " << config_.shutdown_grace_s << " s to finish"
       << std::endl;
  if (executor.wait_idle(std::chrono::seconds(config_.shutdown_grace_s))) return;
  err_ << "[WARN] Draining: " << executor.running()
       << " commands still running after the grace; cancelling them" << std::endl;
}

int ServerApp::stop() {
  // No more alert rounds: they would publish to the hub and log.
  live_->alerting().stop();
  // No more changes or events from the other nodes; this node stops counting as live soon.
  cluster_->stop();
  // Before the HTTP server: the hub then sends nothing to connections the server is closing.
  live_->hub().stop();
  // Running commands are cancelled and recorded before the store flushes.
  exec_->stop();
  // Both front ends: no check starts after this, and those under way have answered.
  if (rls_) rls_->stop();
  http_->stop();
  // Waits for reviews under way, while the confirmer they call still lives.
  services_->reviewer.reset();
  save_reputation();
  // What the aggregator holds since the last flush: every event is in by now.
  analytics_chores_.reset();
  flush_analytics();
  return flush_store() ? 0 : 1;
}

void ServerApp::report_parts() const {
  const alerts::EvaluatorSummary summary = live_->alerting().evaluator().summary();
  out_ << "[INIT] ✓ Alerts: " << summary.enabled_rules << " of " << summary.rules
       << " rules enabled, every " << config_.alert_interval_s << " s, webhook "
       << (live_->alerting().has_webhook() ? core::redacted_url(config_.alert_webhook_url)
                                           : std::string("off"))
       << std::endl;
  out_ << "[INIT] ✓ Analytics: aggregates flushed every " << config_.analytics_flush_s
       << " s, kept " << config_.analytics_minute_days << " d by minute, "
       << config_.analytics_hour_days << " d by hour, " << config_.analytics_day_days << " d by day"
       << std::endl;
  const exec::ProcessRunner& runner = exec_->runner();
  out_ << "[INIT] ✓ Executor: " << config_.exec_workers << " workers, "
       << (!runner.cgroups_available()      ? "rlimits only (" + runner.cgroup_note() + ")"
           : config_.exec_cgroups == "auto" ? "a cgroup per command"
                                            : "a cgroup per command with limits")
       << ", each under its supervisor; " << runner.run_as().note << std::endl;
  out_ << "[INIT] ✓ HTTP: " << config_.io_threads << " io threads, at most "
       << config_.http_max_connections << " connections (" << config_.http_max_connections_per_ip
       << " per client); blocking pools (threads + queue): admin " << config_.http_admin_threads
       << " + " << config_.http_admin_queue << ", analytics " << config_.http_analytics_threads
       << " + " << config_.http_analytics_queue << ", exec " << config_.http_exec_threads << " + "
       << config_.http_exec_queue << std::endl;
  out_ << "[INIT] ✓ Dashboard: " << web::dashboard_files().size()
       << " files embedded, served at /admin/quotas" << std::endl;
}

void ServerApp::report_serving() const {
  const std::string port = std::to_string(http_->port());
  const std::string where = host_for_url(config_.bind_address) + ":" + port;
  const char* scheme = config_.tls_cert_file.empty() ? "http://" : "https://";
  out_ << "[INFO] Starting HTTP server on " << where << std::endl;
  // A wildcard address is no place to browse to; the loopback name is.
  const bool wildcard = config_.bind_address == "0.0.0.0" || config_.bind_address == "::";
  out_ << "[INFO] Dashboard: " << scheme << (wildcard ? "localhost:" + port : where)
       << "/admin/quotas" << std::endl;
  out_ << "[INFO] Dashboard sign-in: an admin key ("
       << (config_.admin_key.empty() ? "the one printed at the first start, or set GAIA_ADMIN_KEY"
                                     : "GAIA_ADMIN_KEY")
       << ")" << std::endl;
  out_ << "[INFO] Health: " << scheme << where << "/health" << std::endl;
  if (rls_) {
    out_ << "[INFO] Envoy rate limit service (gRPC) on "
         << host_for_url(rls_->address()) + ":" + std::to_string(rls_->port()) << std::endl;
  }
}

void ServerApp::save_reputation() {
  if (core::Status s = services_->reputation->flush(*store_); !s.ok()) {
    err_ << "[ERROR] saving reputation: " << s.message() << std::endl;
  }
}

void ServerApp::flush_analytics() {
  if (core::Status s = services_->rollup->flush(); !s.ok()) {
    err_ << "[ERROR] flushing the analytics aggregates: " << s.message() << std::endl;
  }
}

bool ServerApp::flush_store() {
  if (core::Status s = store_->flush(); !s.ok()) {
    err_ << "[ERROR] flushing the store: " << s.message() << std::endl;
    return false;
  }
  return true;
}

int run_server(const Config& config, std::ostream& out, std::ostream& err) {
  app::SystemClock clock;
  // Catch the signals before any thread starts, so none of them dies of SIGTERM.
  http::SignalWaiter signals;
  ServerApp app(config, clock, out, err);
  if (!app.build() || !app.start()) return 1;
  signals.wait();
  out << "[INFO] Shutting down" << std::endl;
  app.drain();
  return app.stop();
}

}  // namespace gaia::app
