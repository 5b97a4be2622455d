#pragma once
// An alert as JSON: the admin API's rows, the live feed's "alert" messages and the webhook
// payload share it:
//   {"id":12,"rule_id":3,"rule_name":"Violation storm","metric":"violation_rate",
//    "scope":"user:ann","severity":"warning","state":"firing","value":41.2,"threshold":30,
//    "started_at_ms":...,"updated_at_ms":...,"ack":{"by":"root","at_ms":...,"note":"..."}|null,
//    "silenced_until_ms":...|null,"transitions":[{"state":"pending","value":35,"at_ms":...}]}

#include <boost/json/object.hpp>

#include "store/alert_store.h"

namespace gaia::alerts {

boost::json::object alert_to_json(const store::StoredAlert& alert);

}  // namespace gaia::alerts
