#include "core/limit_name.h"

#include <string_view>

#include "core/text.h"

namespace gaia::core {
namespace {
std::string_view type_name_of(const CompiledLimit& limit, const RuleSet& rules) {
  if (limit.type == kAnyType || limit.type >= rules.command_types().size()) return "any";
  return rules.command_types()[limit.type].name;
}
}  // namespace

std::string_view limit_type_name(const CompiledLimit& limit, const RuleSet& rules) {
  return type_name_of(limit, rules);
}

int64_t ceil_seconds(int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

std::string policy_name(const LimitState& state, const RuleSet& rules) {
  std::string scratch;
  return std::string(policy_name(state.limit, rules, scratch));
}

std::string_view policy_name(const CompiledLimit& limit, const RuleSet& rules,
                             std::string& scratch) {
  if (const std::string* name = rules.policy_name_of(limit)) return *name;
  scratch = make_policy_name(limit, rules);
  return scratch;
}

uint64_t policy_name_key(const CompiledLimit& limit) {
  const uint64_t seconds =
      limit.kind == LimitKind::kRate ? static_cast<uint64_t>(ceil_seconds(limit.window_ms)) : 0;
  const uint64_t period =
      limit.kind == LimitKind::kCalendar ? static_cast<uint64_t>(limit.period) : 0;
  return uint64_t{limit.type} | uint64_t{static_cast<uint8_t>(limit.kind)} << 16 | period << 18 |
         uint64_t{limit.level == SubjectKind::kKey} << 20 | seconds << 21;
}

std::string make_policy_name(const CompiledLimit& limit, const RuleSet& rules) {
  const std::string_view type = type_name_of(limit, rules);
  std::string name;  // most names fit in the string itself ("shell-day"): no allocation
  if (limit.level == SubjectKind::kKey) name += "key-";
  name += type;
  switch (limit.kind) {
    case LimitKind::kRate: {
      name += "-rate-";
      append_decimal(name, ceil_seconds(limit.window_ms));
      name += 's';
      break;
    }
    case LimitKind::kCalendar:
      name += '-';
      name += period_name(limit.period);
      break;
    case LimitKind::kConcurrency:
      name += "-concurrency";
      break;
  }
  return name;
}

}  // namespace gaia::core
