#pragma once
// The IETF RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11)
// and the JSON view of one limit's state, named the same way in both.

#include <boost/json/object.hpp>
#include <string>

#include "core/decision.h"
#include "core/limit_name.h"
#include "core/rule_set.h"

namespace gaia::http {

using core::ceil_seconds;
using core::policy_name;

// `"shell-day";q=500;w=86400`
std::string policy_field(const core::LimitState& state, const core::RuleSet& rules);

// `"shell-day";r=12;t=10800`; a refused state says r=0 and t = its retry-after.
std::string ratelimit_field(const core::LimitState& state, const core::RuleSet& rules,
                            bool refused);

// {"policy","kind","period"|"window_ms","limit","used","remaining","reset_ms",...}, allocated
// from `sp`.
boost::json::object limit_json(const core::LimitState& state, const core::RuleSet& rules,
                               boost::json::storage_ptr sp = {});

}  // namespace gaia::http
