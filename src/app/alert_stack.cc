#include "app/alert_stack.h"

#include "alerts/default_rules.h"

namespace gaia::app {

core::Result<std::unique_ptr<AlertStack>> AlertStack::make(
    const Config& config, const core::Clock& clock, store::Store& store, http::LiveFeed& feed,
    AlertMetricSources sources, std::ostream& log) {
  std::unique_ptr<AlertStack> s(new AlertStack());
  if (!config.alert_webhook_url.empty()) {
    api::WebhookOptions options;
    options.url = config.alert_webhook_url;
    options.secret = config.alert_webhook_secret;
    options.ca_file = config.ca_file;
    auto client = api::WebhookClient::make(std::move(options), clock);
    if (!client.ok()) {
      return core::Status::invalid_argument("alert webhook " + client.status().message());
    }
    s->webhook_ = std::move(client.value());
    api::WebhookClient* webhook = s->webhook_.get();
    sources.webhook_failures = [webhook] { return webhook->health().failed; };
  }
  s->metrics_ = std::make_unique<AlertMetrics>(clock, std::move(sources));
  s->evaluator_ = std::make_unique<alerts::Evaluator>(
      store, *s->metrics_, clock,
      alerts::EvaluatorOptions{std::chrono::seconds(config.alert_interval_s)});
  s->feed_channel_ = std::make_unique<FeedChannel>(feed);
  s->log_channel_ = std::make_unique<LogChannel>(log);
  s->evaluator_->add_channel("websocket", *s->feed_channel_);
  s->evaluator_->add_channel("log", *s->log_channel_);
  if (s->webhook_) {
    s->webhook_channel_ = std::make_unique<WebhookChannel>(*s->webhook_);
    s->evaluator_->add_channel("webhook", *s->webhook_channel_);
  }
  if (core::Status st = s->evaluator_->load(alerts::default_rules()); !st.ok()) return st;
  return s;
}

AlertStack::~AlertStack() {
  if (evaluator_) evaluator_->stop();
}

boost::json::object AlertStack::health_json() const {
  const alerts::EvaluatorSummary summary = evaluator_->summary();
  boost::json::object o{{"firing", summary.firing},
                        {"pending", summary.pending},
                        {"rules", summary.rules},
                        {"enabled_rules", summary.enabled_rules},
                        {"rounds", summary.rounds}};
  if (!summary.last_error.empty()) o["error"] = summary.last_error;
  if (webhook_) {
    const api::WebhookHealth h = webhook_->health();
    o["webhook"] = {{"queued", h.queued},   {"delivered", h.delivered},
                    {"failed", h.failed},   {"dropped", h.dropped},
                    {"retries", h.retries}, {"last_error", h.last_error}};
  } else {
    o["webhook"] = nullptr;
  }
  return o;
}

}  // namespace gaia::app
