#pragma once
// The stable name of a limit, as the RateLimit fields, violations and metrics show it.

#include <cstdint>
#include <string>

#include "core/decision.h"
#include "core/rule_set.h"

namespace gaia::core {

// The command type a limit counts, or "any".
std::string limit_type_name(const CompiledLimit& limit, const RuleSet& rules);

// e.g. "shell-day", "any-rate-60s", "code-concurrency"; a key's own limit starts with "key-"
// ("key-shell-day"), so it never shares a name with its user's limit of the same kind.
std::string policy_name(const LimitState& state, const RuleSet& rules);

// Whole seconds, rounded up: the RateLimit fields and Retry-After carry no sub-second
// precision.
int64_t ceil_seconds(int64_t ms);

}  // namespace gaia::core
