#include "alerts/alert_json.h"

#include <algorithm>

namespace gaia::alerts {

boost::json::object alert_to_json(const store::StoredAlert& a) {
  boost::json::array transitions;
  for (const store::AlertTransition& t : a.transitions) {
    transitions.push_back({{"state", t.state}, {"value", t.value}, {"at_ms", t.at_ms}});
  }
  boost::json::value ack = nullptr;
  if (a.ack_at_ms) ack = {{"by", a.ack_by}, {"at_ms", *a.ack_at_ms}, {"note", a.ack_note}};
  boost::json::value silenced = nullptr;
  if (a.silenced_until_ms) silenced = *a.silenced_until_ms;
  return {{"id", a.id},
          {"rule_id", a.rule_id},
          {"rule_name", a.rule_name},
          {"metric", a.metric},
          {"scope", a.scope},
          {"severity", a.severity},
          {"state", a.state},
          {"value", a.value},
          {"threshold", a.threshold},
          {"started_at_ms", a.started_at_ms},
          {"updated_at_ms", a.updated_at_ms},
          {"ack", std::move(ack)},
          {"silenced_until_ms", std::move(silenced)},
          {"transitions", std::move(transitions)}};
}

boost::json::object group_to_json(const AlertGroup& g, size_t max_listed) {
  const size_t listed = std::min(max_listed, g.alerts.size());
  boost::json::array alerts;
  alerts.reserve(listed);
  for (size_t i = 0; i < listed; ++i) {
    const GroupedAlert& a = g.alerts[i];
    alerts.push_back(
        {{"id", a.alert_id}, {"scope", a.scope}, {"value", a.value}, {"since_ms", a.since_ms}});
  }
  return {{"event", event_name(g.event)},
          {"rule_id", g.rule_id},
          {"rule_name", g.rule_name},
          {"metric", g.metric},
          {"severity", g.severity},
          {"threshold", g.threshold},
          {"at_ms", g.at_ms},
          {"counts", {{"alerts", g.alerts.size()}, {"listed", listed}, {"firing", g.firing}}},
          {"alerts", std::move(alerts)}};
}

}  // namespace gaia::alerts
