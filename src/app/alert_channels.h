#pragma once
// The alert channels a rule may name (alerts/notifier.h). Each hears one AlertGroup per rule
// and event per evaluation round (every alert of the rule that fired, or resolved, that
// round), and tells it once:
//   "websocket"  one "alert_group" message on the live admin feed, listing the first
//                kFeedListed alerts (a dashboard reads the rest from the API);
//   "log"        one line on the server's output, naming the first kLogListed alerts;
//   "webhook"    one signed POST through api::WebhookClient's bounded queue, listing the
//                first kWebhookListed alerts.
// Each payload is alerts/alert_json.h's group_to_json(), whose counts say how many the group
// has and how many are listed. None blocks the evaluator.
//
// Threads: notify() from the evaluator's thread; the borrowed stream, client and feed must
// outlive the channel.

#include <boost/json/object.hpp>
#include <cstddef>
#include <ostream>
#include <string>

#include "alerts/notifier.h"
#include "api/webhook_client.h"
#include "core/mutex.h"
#include "http/live_feed.h"

namespace gaia::app {

// How many alerts of a group each channel lists. The live feed stays small enough for the
// hub's per-client queue and the cluster relay (cluster/live_relay.h); the webhook bounds
// one body to about half a megabyte.
inline constexpr size_t kFeedListed = 20;
inline constexpr size_t kLogListed = 5;
inline constexpr size_t kWebhookListed = 5'000;

class FeedChannel final : public alerts::Notifier {
 public:
  explicit FeedChannel(http::LiveFeed& feed) : feed_(feed) {}
  void notify(const alerts::AlertGroup& group) override;

 private:
  http::LiveFeed& feed_;
};

// One line per group:
//   [ALERT] firing warning "Repeat violator" (rule 16) 200 alerts: user:ann 37 (alert 101),
//   user:bob 35 (alert 95), ... and 195 more; detector_violators > threshold 0
class LogChannel final : public alerts::Notifier {
 public:
  explicit LogChannel(std::ostream& out) : out_(out) {}
  void notify(const alerts::AlertGroup& group) override;

 private:
  core::Mutex mu_;
  std::ostream& out_ GUARDED_BY(mu_);
};

class WebhookChannel final : public alerts::Notifier {
 public:
  explicit WebhookChannel(api::WebhookClient& client) : client_(client) {}
  void notify(const alerts::AlertGroup& group) override;

 private:
  api::WebhookClient& client_;
};

// The webhook's body for one group.
std::string webhook_payload(const alerts::AlertGroup& group);

}  // namespace gaia::app
