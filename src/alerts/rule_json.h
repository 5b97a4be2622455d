#pragma once
// Alert rules as JSON, for the admin API and the store:
//   {"id":3,"name":"Violation storm","metric":"violation_rate","condition":">",
//    "threshold":30,"for":120,"scope":"user","user":"ann","severity":"warning",
//    "cooldown":600,"channels":["websocket","log","webhook"],"enabled":true}
// Required: name, metric, condition, threshold. Optional: for (seconds, 0), scope ("global";
// "user" or "type" with an optional "user" / "type" naming one), severity ("warning"),
// cooldown (seconds, 300), channels (["websocket","log"]), enabled (true). "id" is ignored
// on input (the URL or the store says which rule). Unknown fields are refused, so a typo does
// not silently change what a rule watches. Errors name the field first:
// "condition: must be one of >, >=, <, <=".

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "alerts/rule.h"
#include "core/status.h"

namespace gaia::alerts {

inline constexpr int64_t kMaxRuleSeconds = 7 * 24 * 3600;

[[nodiscard]] core::Result<AlertRule> rule_from_json(const boost::json::value& v);
boost::json::object rule_to_json(const AlertRule& rule);

}  // namespace gaia::alerts
