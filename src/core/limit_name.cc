#include "core/limit_name.h"

#include <charconv>
#include <string_view>

namespace gaia::core {
namespace {
std::string_view type_name_of(const CompiledLimit& limit, const RuleSet& rules) {
  if (limit.type == kAnyType || limit.type >= rules.command_types().size()) return "any";
  return rules.command_types()[limit.type].name;
}
}  // namespace

std::string limit_type_name(const CompiledLimit& limit, const RuleSet& rules) {
  return std::string(type_name_of(limit, rules));
}

int64_t ceil_seconds(int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

std::string policy_name(const LimitState& state, const RuleSet& rules) {
  // Made on every check (decisions, fields, problems), so built in one string, piece by piece,
  // without the temporaries of chained `+`.
  const CompiledLimit& limit = state.limit;
  const std::string_view type = type_name_of(limit, rules);
  std::string name;  // most names fit in the string itself ("shell-day"): no allocation
  if (limit.level == SubjectKind::kKey) name += "key-";
  name += type;
  switch (limit.kind) {
    case LimitKind::kRate: {
      name += "-rate-";
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, ceil_seconds(limit.window_ms));
      name.append(digits, end.ptr);
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
