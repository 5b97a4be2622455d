#include "alerts/alert_json.h"

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

}  // namespace gaia::alerts
