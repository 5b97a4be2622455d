#pragma once
// The stable name of a limit, as the RateLimit fields, violations and metrics show it.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/decision.h"
#include "core/rule_set.h"

namespace gaia::core {

// The command type a limit counts, or "any".
std::string_view limit_type_name(const CompiledLimit& limit, const RuleSet& rules);

// e.g. "shell-day", "any-rate-60s", "code-concurrency"; a key's own limit starts with "key-"
// ("key-shell-day"), so it never shares a name with its user's limit of the same kind.
std::string policy_name(const LimitState& state, const RuleSet& rules);
// The same name with no string of its own: the rules' copy when they hold `limit` (made when
// they were compiled: a check names its deciding limit several times), else made in `scratch`.
std::string_view policy_name(const CompiledLimit& limit, const RuleSet& rules,
                             std::string& scratch);

// The name made from its parts, as RuleSet::compile does for each of its limits.
std::string make_policy_name(const CompiledLimit& limit, const RuleSet& rules);

// What a limit's name depends on, as one number: limits with the same key have the same name.
uint64_t policy_name_key(const CompiledLimit& limit);

// Whole seconds, rounded up: the RateLimit fields and Retry-After carry no sub-second
// precision.
int64_t ceil_seconds(int64_t ms);

}  // namespace gaia::core
