#pragma once
// The JSON of what the admission check tells a caller beyond the decision: the load throttle
// they are under and a quota warning (docs/api.md, "POST /api/v1/check"). Pure; any thread.

#include <boost/json/object.hpp>
#include <string>

#include "core/rule_set.h"
#include "exec/load_signal.h"
#include "exec/quota_warnings.h"

namespace gaia::api {

// {"factor", "action": "delay"|"wait"|"refuse", "delay_ms", ["wait_ms", "max_wait_ms"],
//  ["retry_after_s"], "limited_by": ["cpu"|"memory"...],
//  "why": {"cpu": {"pct", "factor"}, "memory": {...}, ["pressure": {"cpu", "memory"}]}}
boost::json::object throttle_json(const exec::ThrottleNotice& t, boost::json::storage_ptr sp = {});

// "memory at 98 %": the resources that set the factor, for a message.
std::string throttle_reason(const exec::ThrottleNotice& t);

// The limit as http::limit_json renders it, plus "threshold_pct" and "used_pct".
boost::json::object warning_json(const exec::QuotaWarning& w, const core::RuleSet& rules,
                                 boost::json::storage_ptr sp = {});

}  // namespace gaia::api
