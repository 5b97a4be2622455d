#pragma once
// Quota rules as JSON, for the admin API and for rules kept in the store:
//   {"subject":{"kind":"key","id":7},"command_type":"shell","enforcement":"enforce",
//    "limits":[{"kind":"rate","amount":10,"window_ms":60000},
//              {"kind":"calendar","period":"day","amount":500},
//              {"kind":"concurrency","amount":2}],
//    "outage":"open"}
// "outage" (closed, open or local; absent or null: the node's GAIA_REDIS_FAILURE) is what a
// check under the rule does while the shared counters do not answer.
// Parsing names the field of the first problem, e.g. "limits[1].period".

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/field_error.h"
#include "core/rule.h"
#include "core/status.h"

namespace gaia::rules {

// An integer that fits int64_t, or nullopt (absent, another type, or out of range).
std::optional<int64_t> json_integer(const boost::json::value* v);

// One limit object; `at` is its field path for errors.
std::variant<core::LimitSpec, core::FieldError> limit_from_json(const boost::json::value& v,
                                                                const std::string& at);

// A `limits` array whose items may carry a "type": one rule per command type (no type: a
// rule over every type), all for `subject`.
std::variant<std::vector<core::Rule>, core::FieldError> rules_for_limits(
    const boost::json::value& limits, core::Subject subject);

boost::json::object rule_to_json(const core::Rule& rule);
std::variant<core::Rule, core::FieldError> rule_from_json(const boost::json::value& v);

}  // namespace gaia::rules
