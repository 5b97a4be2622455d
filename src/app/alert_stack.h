#pragma once
// AlertStack: the alert system wired together for gaia_server: the live figures
// (AlertMetrics, a listener of the store's events), the channels (live feed, log, and the
// webhook when GAIA_ALERT_WEBHOOK_URL is set) and the evaluator on its own timer
// (GAIA_ALERT_INTERVAL_S). The default rules are stored on a new database.
//
// Ownership: borrows the clock, store, feed and log stream, which must outlive it.
// Threads: make() and start()/stop() from the main thread; the rest from any thread.

#include <boost/json/object.hpp>
#include <memory>
#include <ostream>

#include "alerts/evaluator.h"
#include "api/webhook_client.h"
#include "app/alert_channels.h"
#include "app/alert_metrics.h"
#include "app/config.h"
#include "http/live_feed.h"

namespace gaia::app {

class AlertStack {
 public:
  // Loads the rules and open alerts (storing the defaults on a new database) and makes the
  // webhook client when configured; fails on a store error or a bad webhook URL.
  // sources.webhook_failures is filled in here.
  static core::Result<std::unique_ptr<AlertStack>> make(const Config& config,
                                                        const core::Clock& clock,
                                                        store::Store& store, http::LiveFeed& feed,
                                                        AlertMetricSources sources,
                                                        std::ostream& log);
  ~AlertStack();

  // Add to the store's event feed before it is shared.
  store::StoreListener& listener() { return *metrics_; }
  const AlertMetrics& figures() const { return *metrics_; }
  alerts::Evaluator& evaluator() { return *evaluator_; }
  bool has_webhook() const { return webhook_ != nullptr; }

  // /health's "alerts": {"firing":N,"pending":N,"rules":N,"enabled_rules":N,
  //   "webhook":{"queued":N,"delivered":N,"failed":N,"dropped":N,"last_error":"..."}|null}
  boost::json::object health_json() const;

  void start() { evaluator_->start(); }
  void stop() { evaluator_->stop(); }

 private:
  AlertStack() = default;

  std::unique_ptr<api::WebhookClient> webhook_;
  std::unique_ptr<AlertMetrics> metrics_;
  std::unique_ptr<FeedChannel> feed_channel_;
  std::unique_ptr<LogChannel> log_channel_;
  std::unique_ptr<WebhookChannel> webhook_channel_;
  std::unique_ptr<alerts::Evaluator> evaluator_;
};

}  // namespace gaia::app
