#include "core/limit_name.h"

namespace gaia::core {
std::string limit_type_name(const CompiledLimit& limit, const RuleSet& rules) {
  if (limit.type == kAnyType || limit.type >= rules.command_types().size()) return "any";
  return rules.command_types()[limit.type].name;
}

int64_t ceil_seconds(int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

std::string policy_name(const LimitState& state, const RuleSet& rules) {
  const CompiledLimit& limit = state.limit;
  std::string name = limit.level == SubjectKind::kKey ? "key-" : "";
  name += limit_type_name(limit, rules);
  switch (limit.kind) {
    case LimitKind::kRate:
      return name + "-rate-" + std::to_string(ceil_seconds(limit.window_ms)) + "s";
    case LimitKind::kCalendar:
      return name + "-" + period_name(limit.period);
    case LimitKind::kConcurrency:
      return name + "-concurrency";
  }
  return name;
}

}  // namespace gaia::core
