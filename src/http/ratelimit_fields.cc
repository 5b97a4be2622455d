#include "http/ratelimit_fields.h"

#include <algorithm>
#include <charconv>

namespace gaia::http {
namespace {

void append_number(std::string& out, uint64_t n) {
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

// `"<name>";<key>=<n>`, the start of both fields, built in one buffer.
std::string field_start(const core::LimitState& state, const core::RuleSet& rules,
                        std::string_view key, uint64_t n) {
  std::string field;
  field.reserve(64);
  field += '"';
  std::string scratch;
  field += policy_name(state.limit, rules, scratch);
  field += "\";";
  field += key;
  append_number(field, n);
  return field;
}

}  // namespace

std::string policy_field(const core::LimitState& state, const core::RuleSet& rules) {
  return policy_field(state, rules, state.limit.amount);
}

std::string policy_field(const core::LimitState& state, const core::RuleSet& rules,
                         uint32_t quota) {
  const core::CompiledLimit& limit = state.limit;
  std::string field = field_start(state, rules, "q=", quota);
  switch (limit.kind) {
    case core::LimitKind::kRate:
      field += ";w=";
      append_number(field,
                    static_cast<uint64_t>(std::max<int64_t>(1, ceil_seconds(limit.window_ms))));
      break;
    case core::LimitKind::kCalendar:
      if (limit.period == core::CalendarPeriod::kDay) field += ";w=86400";
      if (limit.period == core::CalendarPeriod::kWeek) field += ";w=604800";
      break;  // a month has no fixed length
    case core::LimitKind::kConcurrency:
      field += ";qu=\"concurrent-requests\"";
      break;
  }
  return field;
}

std::string ratelimit_field(const core::LimitState& state, const core::RuleSet& rules,
                            bool refused) {
  return ratelimit_field(state, rules, refused, state.limit.amount);
}

std::string ratelimit_field(const core::LimitState& state, const core::RuleSet& rules, bool refused,
                            uint32_t quota) {
  const bool exhausted = refused && state.retry_after_ms >= 0;
  const uint32_t left = std::min(state.remaining, quota);
  std::string field = field_start(state, rules, "r=", exhausted ? 0 : left);
  const int64_t t_ms = exhausted ? state.retry_after_ms : state.reset_ms;
  if (t_ms > 0) {
    field += ";t=";
    append_number(field, static_cast<uint64_t>(ceil_seconds(t_ms)));
  }
  return field;
}

boost::json::object limit_json(const core::LimitState& state, const core::RuleSet& rules,
                               boost::json::storage_ptr sp) {
  return limit_json(state, rules, state.limit.amount, std::move(sp));
}

boost::json::object limit_json(const core::LimitState& state, const core::RuleSet& rules,
                               uint32_t quota, boost::json::storage_ptr sp) {
  // Sized for every key up front and filled by emplace (each key is new): no rehash.
  boost::json::object o(11, std::move(sp));
  ObjectMembers m(o);
  limit_members(m, state, rules, quota);
  return o;
}

template <class Members>
void limit_members(Members& m, const core::LimitState& state, const core::RuleSet& rules,
                   uint32_t quota) {
  const core::CompiledLimit& limit = state.limit;
  std::string scratch;
  m.member("policy", policy_name(limit, rules, scratch));
  m.member("type", core::limit_type_name(limit, rules));
  switch (limit.kind) {
    case core::LimitKind::kRate:
      m.member("kind", "rate");
      m.member("window_ms", limit.window_ms);
      break;
    case core::LimitKind::kCalendar:
      m.member("kind", "calendar");
      m.member("period", core::period_name(limit.period));
      break;
    case core::LimitKind::kConcurrency:
      m.member("kind", "concurrency");
      break;
  }
  m.member("enforcement", limit.enforcement == core::Enforcement::kEnforce ? "enforce" : "shadow");
  m.member("limit", limit.amount);
  if (quota != limit.amount) m.member("stated_limit", quota);
  m.member("used", state.used);
  m.member("remaining", state.remaining);
  m.member("reset_ms", state.reset_ms);
  if (state.retry_after_ms != 0) m.member("retry_after_ms", state.retry_after_ms);
}

template void limit_members(JsonWriter&, const core::LimitState&, const core::RuleSet&, uint32_t);
template void limit_members(ObjectMembers&, const core::LimitState&, const core::RuleSet&,
                            uint32_t);

}  // namespace gaia::http
