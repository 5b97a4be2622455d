#include "app/alert_channels.h"

#include <boost/json.hpp>

#include "alerts/alert_json.h"
#include "http/json_text.h"

namespace gaia::app {

void FeedChannel::notify(const store::StoredAlert& alert, alerts::AlertEvent event) {
  boost::json::object data = alerts::alert_to_json(alert);
  data["event"] = alerts::event_name(event);
  feed_.publish("alert", std::move(data));
}

void LogChannel::notify(const store::StoredAlert& a, alerts::AlertEvent event) {
  core::MutexLock lock(mu_);
  out_ << "[ALERT] " << alerts::event_name(event) << ' ' << a.severity << " \"" << a.rule_name
       << "\" (rule " << a.rule_id << ", alert " << a.id << ") " << a.scope << ": " << a.metric
       << ' ' << a.value << " (threshold " << a.threshold << ")" << std::endl;
}

std::string webhook_payload(const store::StoredAlert& alert, alerts::AlertEvent event) {
  return http::object_json_text(boost::json::object{{"event", alerts::event_name(event)},
                                                    {"alert", alerts::alert_to_json(alert)}});
}

void WebhookChannel::notify(const store::StoredAlert& alert, alerts::AlertEvent event) {
  (void)client_.enqueue(webhook_payload(alert, event));  // a full queue counts the drop
}

}  // namespace gaia::app
