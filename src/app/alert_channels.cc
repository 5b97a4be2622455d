#include "app/alert_channels.h"

#include <algorithm>
#include <boost/json.hpp>

#include "alerts/alert_json.h"
#include "http/json_text.h"

namespace gaia::app {

void FeedChannel::notify(const alerts::AlertGroup& group) {
  feed_.publish("alert_group", alerts::group_to_json(group, kFeedListed));
}

void LogChannel::notify(const alerts::AlertGroup& g) {
  const size_t listed = std::min(kLogListed, g.alerts.size());
  core::MutexLock lock(mu_);
  out_ << "[ALERT] " << alerts::event_name(g.event) << ' ' << g.severity << " \"" << g.rule_name
       << "\" (rule " << g.rule_id << ") " << g.metric << " (threshold " << g.threshold << "), "
       << g.alerts.size() << (g.alerts.size() == 1 ? " alert: " : " alerts: ");
  for (size_t i = 0; i < listed; ++i) {
    const alerts::GroupedAlert& a = g.alerts[i];
    out_ << (i == 0 ? "" : ", ") << a.scope << ' ' << a.value << " (alert " << a.alert_id << ')';
  }
  if (g.alerts.size() > listed) out_ << " and " << g.alerts.size() - listed << " more";
  out_ << std::endl;
}

std::string webhook_payload(const alerts::AlertGroup& group) {
  return http::object_json_text(alerts::group_to_json(group, kWebhookListed));
}

void WebhookChannel::notify(const alerts::AlertGroup& group) {
  (void)client_.enqueue(webhook_payload(group));  // a full queue counts the drop
}

}  // namespace gaia::app
