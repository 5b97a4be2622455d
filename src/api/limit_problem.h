#pragma once
// The one shape of every answer a limit gives that is not an admission: POST /api/v1/check and
// POST /api/v1/exec alike.
//
// 429, the limit is used up: an RFC 9457 problem (http::problem) of type quota-exceeded with
// "violated-policies" naming the limit, "limit" (http::limit_json) and, when waiting helps,
// "retry_after_s"; the RateLimit-Policy and RateLimit fields say the same (r=0, t = the wait)
// and Retry-After the wait. A limit that can never admit the request (retry_after_ms < 0: a
// limit of 0) promises no retry: no "retry_after_s", no Retry-After, r what is left.
//
// 400, the cost is more than a limit allows at all: it can never be admitted, whatever the
// wait, so it is bad input, answered before anything is counted (cost_beyond_limits).
//
// The quota in the fields and in "stated_limit" is the limit as the rules state it
// (core::RuleSet::stated_amount), stable while reputation scales the user's limits.
// Threads: free functions; any thread.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decision.h"
#include "core/rule_set.h"
#include "http/message.h"

namespace gaia::api {

struct LimitProblem {
  boost::json::object body;
  std::vector<http::Header> headers;
};

// The 429 problem of `limit`, refused: `message` as detail, `retry_after_s` when waiting
// helps (nullopt: never). `quota` is the limit's stated amount. Allocated from `sp`.
LimitProblem limit_problem(const core::LimitState& limit, const core::RuleSet& rules,
                           uint32_t quota, std::string_view code, std::string_view message,
                           std::optional<int64_t> retry_after_s, boost::json::storage_ptr sp = {});

// The same body's members, stated to `m`: an http::JsonWriter (the text, no tree) or
// http::ObjectMembers.
template <class Members>
void limit_problem_members(Members& m, const core::LimitState& limit, const core::RuleSet& rules,
                           uint32_t quota, std::string_view code, std::string_view message,
                           std::optional<int64_t> retry_after_s);
// The same problem's fields: RateLimit-Policy, RateLimit and, when waiting helps, Retry-After.
std::vector<http::Header> limit_problem_headers(const core::LimitState& limit,
                                                const core::RuleSet& rules, uint32_t quota,
                                                std::optional<int64_t> retry_after_s);

// "limit shell-day reached (500); try again in 17 s", the detail of a limit's 429.
std::string limit_reached(const core::LimitState& limit, const core::RuleSet& rules,
                          std::optional<int64_t> retry_after_s);

// The 400 for a `cost` more than an enforced limit of `principal`'s policy for `type` allows
// at all, naming "cost" and the limit; nullopt when every limit could admit it some day.
std::optional<http::Response> cost_beyond_limits(const core::RuleSet& rules,
                                                 const core::Principal& principal,
                                                 core::CommandTypeId type, uint32_t cost);

}  // namespace gaia::api
