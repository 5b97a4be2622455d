#include "app/live_side.h"

#include <algorithm>
#include <map>
#include <string>

#include "api/ws_routes.h"
#include "metrics/check_stats.h"

namespace gaia::app {

namespace {

// The live stats' "top_users": the ten busiest users of the last five minutes.
boost::json::array top_users_json(const AlertMetrics& figures,
                                  const Services::UserName& user_name) {
  boost::json::array top;
  for (const AlertMetrics::UserActivity& a : figures.top_users(10)) {
    top.push_back({{"user", user_name(a.user_id).value_or("#" + std::to_string(a.user_id))},
                   {"admitted", a.admitted},
                   {"refused", a.refused}});
  }
  return top;
}

// What the alert metrics read from the rest of the server, but the detectors.
AlertMetricSources alert_sources(const core::Clock& clock, store::Store& store, Services& services,
                                 ExecStack& exec, const http::WsHub& hub) {
  AlertMetricSources sources;
  sources.executor = [&exec] { return exec.status_json(); };
  sources.store = &store;
  if (const SharedCounters* shared = services.shared_counters.get()) {
    sources.counters_reachable = [shared] { return shared->reachable(); };
  }
  sources.ws_drops = [&hub] {
    const http::WsHealth h = hub.health();
    return h.dropped + h.closed_slow;
  };
  sources.user_name = services.user_names();
  sources.quota_use = [&clock, &limiter = *services.limiter, &directory = *services.directory](
                          uint64_t id, std::map<std::string, double>& pct) {
    auto user = directory.user_by_id(id);
    if (!user) return;
    auto rules = limiter.rules();
    for (const core::QuotaLine& line :
         limiter.quota_status({user->id, 0, user->tier}, clock.now())) {
      const core::CompiledLimit& l = line.state.limit;
      if (l.kind != core::LimitKind::kCalendar || l.amount == 0) continue;
      const std::string type = line.type < rules->command_types().size()
                                   ? rules->command_types()[line.type].name
                                   : std::string("*");
      pct[type] = std::max(pct[type], 100.0 * line.state.used / l.amount);
    }
  };
  return sources;
}

// The client of the users' own webhooks: signed with the alert webhook's secret, counted in
// /metrics as gaia_user_webhook_deliveries{outcome}. Each user's receiver is their own: four
// senders and a tenth of the queue per URL, so that one slow or dead receiver neither delays
// nor crowds out the warnings of everyone else.
core::Result<std::unique_ptr<api::WebhookClient>> user_webhook_client(
    const Config& config, const core::Clock& clock, metrics::MetricsRegistry& registry) {
  auto client = api::WebhookClient::make({.secret = config.alert_webhook_secret,
                                          .user_agent = "gaia-quota",
                                          .max_queued_per_url = 100,
                                          .senders = 4,
                                          .ca_file = config.ca_file},
                                         clock);
  if (!client.ok()) return client.status();
  metrics::GaugeFamily& outcomes = registry.add_gauge(
      "gaia_user_webhook_deliveries",
      "Quota warnings POSTed to users' own webhooks since start, by outcome: delivered (2xx), "
      "failed (after every retry) or dropped (the queue was full).",
      {"outcome"});
  api::WebhookClient* c = client.value().get();
  outcomes.add_callback({"delivered"}, [c] { return static_cast<double>(c->health().delivered); });
  outcomes.add_callback({"failed"}, [c] { return static_cast<double>(c->health().failed); });
  outcomes.add_callback({"dropped"}, [c] { return static_cast<double>(c->health().dropped); });
  return client;
}

}  // namespace

std::unique_ptr<LiveSide> LiveSide::make(const Config& config, const core::Clock& clock,
                                         store::Store& store, Services& services, ExecStack& exec,
                                         std::ostream& out, std::ostream& err) {
  std::unique_ptr<LiveSide> live(new LiveSide());
  // The busiest users come from the alerts' live figures, made once the hub is (below).
  auto stats = [live = live.get(), &registry = *services.registry, &exec,
                user_name = services.user_names()] {
    boost::json::object o = metrics::check_stats(registry);
    o["executor"] = exec.status_json();
    if (live->live_figures_ != nullptr) {
      o["top_users"] = top_users_json(*live->live_figures_, user_name);
    }
    return o;
  };
  live->hub_ = std::make_unique<http::WsHub>(
      clock, stats, api::admin_key_check(*services.directory),
      api::admin_credential_check(*services.directory), http::WsHubOptions{});
  live->revoked_key_sockets_ = std::make_unique<api::RevokedKeySockets>(*live->hub_);
  services.directory->add_listener(live->revoked_key_sockets_.get());
  live->own_events_ = std::make_unique<RelayingFeed>(*live->hub_);
  live->violation_announcer_ =
      std::make_unique<ViolationAnnouncer>(*live->own_events_, services.user_names());
  services.feed->add_listener(live->violation_announcer_.get());
  auto user_webhooks = user_webhook_client(config, clock, *services.registry);
  if (!user_webhooks.ok()) {
    err << "[ERROR] user webhooks: " << user_webhooks.status().message() << std::endl;
    return nullptr;
  }
  live->user_webhooks_ = std::move(user_webhooks.value());
  live->quota_warning_announcer_ = std::make_unique<QuotaWarningAnnouncer>(
      *live->hub_, *services.directory, *live->user_webhooks_);
  services.quota->set_warning_listener(live->quota_warning_announcer_.get());

  AlertMetricSources sources = alert_sources(clock, store, services, exec, *live->hub_);
  live->alert_detectors_ = std::make_unique<AlertDetectors>(*services.detectors, clock);
  sources.detectors = [detectors = live->alert_detectors_.get()](
                          std::string_view metric, alerts::ScopeKind scope,
                          std::vector<alerts::Sample>& samples) {
    detectors->read(metric, scope, samples);
  };
  auto alerting =
      AlertStack::make(config, clock, *services.feed, *live->own_events_, std::move(sources), out);
  if (!alerting.ok()) {
    err << "[ERROR] alerts: " << alerting.status().message() << std::endl;
    return nullptr;
  }
  live->alerting_ = std::move(alerting.value());
  services.feed->add_listener(&live->alerting_->listener());
  live->live_figures_ = &live->alerting_->figures();
  return live;
}

}  // namespace gaia::app
