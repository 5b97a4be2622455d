#pragma once
// Patterns and decisions as JSON, for the admin API and the store:
//   {"id":"deny-mkfs","name":"make a file system","match":"regex","pattern":"^mkfs",
//    "decision":"deny","priority":1000,"enabled":true,"reason":"formats a device",
//    "scope":{"command_type":"shell","user":"ann","tier":"premium"}}
// Required: id, name, match, pattern, decision. Optional: priority (0), enabled (true),
// reason (""), scope (any; each of its fields optional, null meaning any). Unknown fields are
// refused, so that a typo does not silently widen a pattern.
// Errors name the field first: "decision: must be one of approve, deny, ask".

#include <boost/json/value.hpp>

#include "confirm/pattern.h"
#include "confirm/policy.h"
#include "core/status.h"

namespace gaia::confirm {

// Reads and validates (validate_fields) a spec; the pattern text is checked by compiling.
[[nodiscard]] core::Result<PatternSpec> pattern_from_json(const boost::json::value& v);
boost::json::object pattern_to_json(const PatternSpec& spec);

// {"decision":"ask","reason":"...","source":"default","pattern_id":null,"unmatched":true,
//  "parts":[{"text":"make","kind":"command","decision":null,"pattern_id":null}]}
boost::json::object decision_to_json(const Decision& d);

}  // namespace gaia::confirm
