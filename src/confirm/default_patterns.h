#pragma once
// The day-one pattern set: what Gaia denies, asks about and approves before an admin has
// written any rule. Every entry is listed, with examples, in docs/confirm.md; the table of
// commands in tests/unit/confirm/decision_table.h pins what they decide.
//
// Priorities: denials 1000, asks 500 (600 for asks that must beat an approval), approvals
// 100, so that an admin's own patterns can sit in between. What no pattern decides lives in
// the policy's guards instead: options that run, write or change the system
// (tool_options.h) and variables that change which code runs (code_env.h).

#include <vector>

#include "confirm/pattern.h"

namespace gaia::confirm {

inline constexpr int64_t kDefaultDenyPriority = 1000;
inline constexpr int64_t kDefaultAskPriority = 500;
inline constexpr int64_t kDefaultApprovePriority = 100;

// The default patterns (ids start with "default-"). Each compiles.
std::vector<PatternSpec> default_patterns();

}  // namespace gaia::confirm
