#pragma once
// The alert channels a rule may name (alerts/notifier.h): "websocket" (an "alert" message on
// the live admin feed), "log" (one line on the server's output) and "webhook" (a signed POST
// through api::WebhookClient's bounded queue). None blocks the evaluator.
//
// Payload of the live feed and the webhook:
//   {"event":"firing"|"resolved","alert":{...alerts/alert_json.h...}}   (webhook)
//   {"type":"alert","data":{...the alert...,"event":"firing"|"resolved"}} (live feed)
//
// Threads: notify() from the evaluator's thread; the borrowed stream, client and feed must
// outlive the channel.

#include <boost/json/object.hpp>
#include <functional>
#include <ostream>
#include <string>

#include "alerts/notifier.h"
#include "api/webhook_client.h"
#include "core/mutex.h"
#include "http/live_feed.h"

namespace gaia::app {

class FeedChannel final : public alerts::Notifier {
 public:
  explicit FeedChannel(http::LiveFeed& feed) : feed_(feed) {}
  void notify(const store::StoredAlert& alert, alerts::AlertEvent event) override;

 private:
  http::LiveFeed& feed_;
};

// One line per notification:
//   [ALERT] firing critical "CPU saturated" (rule 5, alert 12) global: cpu_pct 97.5 > 90
class LogChannel final : public alerts::Notifier {
 public:
  explicit LogChannel(std::ostream& out) : out_(out) {}
  void notify(const store::StoredAlert& alert, alerts::AlertEvent event) override;

 private:
  core::Mutex mu_;
  std::ostream& out_ GUARDED_BY(mu_);
};

class WebhookChannel final : public alerts::Notifier {
 public:
  explicit WebhookChannel(api::WebhookClient& client) : client_(client) {}
  void notify(const store::StoredAlert& alert, alerts::AlertEvent event) override;

 private:
  api::WebhookClient& client_;
};

// The webhook's body for one notification.
std::string webhook_payload(const store::StoredAlert& alert, alerts::AlertEvent event);

}  // namespace gaia::app
