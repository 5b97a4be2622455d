#pragma once
// An alert as JSON: the admin API's rows and the live feed's "alert" messages (an
// acknowledgement or a silence) share it:
//   {"id":12,"rule_id":3,"rule_name":"Violation storm","metric":"violation_rate",
//    "scope":"user:ann","severity":"warning","state":"firing","value":41.2,"threshold":30,
//    "started_at_ms":...,"updated_at_ms":...,"ack":{"by":"root","at_ms":...,"note":"..."}|null,
//    "silenced_until_ms":...|null,"transitions":[{"state":"pending","value":35,"at_ms":...}]}
// A group of alerts told at once (alerts/alert_group.h), the live feed's "alert_group"
// messages and the webhook payload:
//   {"event":"firing","rule_id":16,"rule_name":"Repeat violator","metric":"detector_violators",
//    "severity":"warning","threshold":0,"at_ms":...,
//    "counts":{"alerts":200,"listed":200,"firing":200},
//    "alerts":[{"id":101,"scope":"user:ann","value":37,"since_ms":...},...]}
// "alerts" lists the group's first `max_listed` (furthest past the threshold first);
// counts.alerts is how many the group has, counts.listed how many are shown, counts.firing
// how many of the rule's alerts fire after the round.

#include <boost/json/object.hpp>

#include "alerts/alert_group.h"
#include "store/alert_store.h"

namespace gaia::alerts {

boost::json::object alert_to_json(const store::StoredAlert& alert);
boost::json::object group_to_json(const AlertGroup& group, size_t max_listed);

}  // namespace gaia::alerts
