#include "http/ratelimit_fields.h"

#include <algorithm>
#include <array>

#include "core/text.h"

namespace gaia::http {
namespace {

// `"<name>";<key>`, the start of both fields.
std::string field_start(const core::CompiledLimit& limit, const core::RuleSet& rules,
                        std::string_view key) {
  std::string scratch;
  std::string field;
  field += '"';
  field += policy_name(limit, rules, scratch);
  field += "\";";
  field += key;
  return field;
}

std::string make_policy_field(const core::CompiledLimit& limit, const core::RuleSet& rules,
                              uint32_t quota) {
  std::string field = field_start(limit, rules, "q=");
  core::append_decimal(field, quota);
  switch (limit.kind) {
    case core::LimitKind::kRate:
      field += ";w=";
      core::append_decimal(
          field, static_cast<uint64_t>(std::max<int64_t>(1, ceil_seconds(limit.window_ms))));
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

// The members that say what the limit is: the same from one check to the next.
template <class Members>
void stated_members(Members& m, const core::CompiledLimit& limit, const core::RuleSet& rules,
                    uint32_t quota) {
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
}

// The members that say where its counter stands.
template <class Members>
void counted_members(Members& m, const core::LimitState& state) {
  m.member("used", state.used);
  m.member("remaining", state.remaining);
  m.member("reset_ms", state.reset_ms);
  if (state.retry_after_ms != 0) m.member("retry_after_ms", state.retry_after_ms);
}

// What the answers about one limit say the same way every time, made once per thread for each
// of the last few limits answered about: every check answers about its deciding limit.
struct StatedText {
  uint64_t rules = 0;  // core::RuleSet::serial()
  core::CompiledLimit limit;
  uint32_t quota = 0;
  std::string members;          // stated_members()
  std::string policy_field;     // make_policy_field()
  std::string ratelimit_start;  // `"shell-day";r=`

  // Whether the text of `limit` under `rules` with `quota` is this.
  bool says(const core::CompiledLimit& l, const core::RuleSet& r, uint32_t q) const {
    return rules == r.serial() && quota == q && limit.kind == l.kind && limit.period == l.period &&
           limit.enforcement == l.enforcement && limit.level == l.level && limit.type == l.type &&
           limit.amount == l.amount && limit.window_ms == l.window_ms;
  }
};

const StatedText& stated_text(const core::CompiledLimit& limit, const core::RuleSet& rules,
                              uint32_t quota) {
  thread_local std::array<StatedText, 4> recent;
  thread_local size_t replace_next = 0;
  for (const StatedText& t : recent) {
    if (t.says(limit, rules, quota)) return t;
  }
  StatedText& t = recent[replace_next++ % recent.size()];
  t.rules = rules.serial();
  t.limit = limit;
  t.quota = quota;
  t.members = members_text([&](JsonWriter& w) { stated_members(w, limit, rules, quota); });
  t.policy_field = make_policy_field(limit, rules, quota);
  t.ratelimit_start = field_start(limit, rules, "r=");
  return t;
}

}  // namespace

std::string policy_field(const core::LimitState& state, const core::RuleSet& rules) {
  return policy_field(state, rules, state.limit.amount);
}

std::string policy_field(const core::LimitState& state, const core::RuleSet& rules,
                         uint32_t quota) {
  return stated_text(state.limit, rules, quota).policy_field;
}

std::string ratelimit_field(const core::LimitState& state, const core::RuleSet& rules,
                            bool refused) {
  return ratelimit_field(state, rules, refused, state.limit.amount);
}

std::string ratelimit_field(const core::LimitState& state, const core::RuleSet& rules, bool refused,
                            uint32_t quota) {
  const bool exhausted = refused && state.retry_after_ms >= 0;
  const uint32_t left = std::min(state.remaining, quota);
  std::string field;
  field.reserve(48);
  field += stated_text(state.limit, rules, quota).ratelimit_start;
  core::append_decimal(field, exhausted ? 0 : left);
  const int64_t t_ms = exhausted ? state.retry_after_ms : state.reset_ms;
  if (t_ms > 0) {
    field += ";t=";
    core::append_decimal(field, static_cast<uint64_t>(ceil_seconds(t_ms)));
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

void limit_members(JsonWriter& m, const core::LimitState& state, const core::RuleSet& rules,
                   uint32_t quota) {
  m.members(stated_text(state.limit, rules, quota).members);
  counted_members(m, state);
}

void limit_members(ObjectMembers& m, const core::LimitState& state, const core::RuleSet& rules,
                   uint32_t quota) {
  stated_members(m, state.limit, rules, quota);
  counted_members(m, state);
}

}  // namespace gaia::http
