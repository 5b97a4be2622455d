#pragma once
// The IETF RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11)
// and the JSON view of one limit's state, named the same way in both.

#include <boost/json/object.hpp>
#include <string>

#include "core/decision.h"
#include "core/limit_name.h"
#include "core/rule_set.h"
#include "http/json_text.h"

namespace gaia::http {

using core::ceil_seconds;
using core::policy_name;

// `"shell-day";q=500;w=86400`. q is `quota`: the limit's amount as the rules state it
// (core::RuleSet::stated_amount), so that it stays stable while a user's reputation scales
// what they may use; without it, the limit's own amount.
std::string policy_field(const core::LimitState& state, const core::RuleSet& rules);
std::string policy_field(const core::LimitState& state, const core::RuleSet& rules, uint32_t quota);

// `"shell-day";r=12;t=10800`: r what is left of the (scaled) limit, at most `quota`, and t
// when it resets. A refused state whose cost fits later says r=0 and t = its retry-after; one
// that can never fit (retry_after_ms < 0) is not exhausted, and says what is left and no t
// beyond the reset.
std::string ratelimit_field(const core::LimitState& state, const core::RuleSet& rules,
                            bool refused);
std::string ratelimit_field(const core::LimitState& state, const core::RuleSet& rules, bool refused,
                            uint32_t quota);

// {"policy","kind","period"|"window_ms","limit","used","remaining","reset_ms",...}, allocated
// from `sp`; "stated_limit" too when reputation scaled the limit away from `quota`.
boost::json::object limit_json(const core::LimitState& state, const core::RuleSet& rules,
                               boost::json::storage_ptr sp = {});
boost::json::object limit_json(const core::LimitState& state, const core::RuleSet& rules,
                               uint32_t quota, boost::json::storage_ptr sp = {});
// The same members, stated to `m`: the text, no tree (what says the limit is made once per
// thread for the last few limits), or a tree's.
void limit_members(JsonWriter& m, const core::LimitState& state, const core::RuleSet& rules,
                   uint32_t quota);
void limit_members(ObjectMembers& m, const core::LimitState& state, const core::RuleSet& rules,
                   uint32_t quota);

}  // namespace gaia::http
