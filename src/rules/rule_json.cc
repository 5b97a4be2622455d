#include "rules/rule_json.h"

#include <boost/json.hpp>
#include <map>
#include <optional>

namespace gaia::rules {
namespace {

constexpr int64_t kMaxAmount = 4'294'967'295;

std::optional<std::string> string_of(const boost::json::value* v) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

const char* subject_kind_name(core::SubjectKind kind) {
  switch (kind) {
    case core::SubjectKind::kGlobal:
      return "global";
    case core::SubjectKind::kTier:
      return "tier";
    case core::SubjectKind::kUser:
      return "user";
    case core::SubjectKind::kKey:
      return "key";
  }
  return "global";
}

// "warn_at": [80, 95]: ascending percentages, at most core::kMaxWarnThresholds; [] for none.
std::optional<std::vector<uint8_t>> warn_at_from_json(const boost::json::value& v) {
  if (!v.is_array() || v.get_array().size() > static_cast<size_t>(core::kMaxWarnThresholds)) {
    return std::nullopt;
  }
  std::vector<uint8_t> out;
  for (const boost::json::value& e : v.get_array()) {
    auto pct = json_integer(&e);
    if (!pct || *pct < 1 || *pct > 100 || (!out.empty() && *pct <= out.back())) {
      return std::nullopt;
    }
    out.push_back(static_cast<uint8_t>(*pct));
  }
  return out;
}

// By core::OutagePolicy; kDefault has no name (the field is absent).
constexpr const char* kOutageNames[] = {"", "open", "local", "closed"};

}  // namespace

std::optional<int64_t> json_integer(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= uint64_t{INT64_MAX}) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

std::variant<core::LimitSpec, core::FieldError> limit_from_json(const boost::json::value& v,
                                                                const std::string& at) {
  if (!v.is_object()) return core::FieldError{at, "must be an object"};
  const boost::json::object& o = v.get_object();
  auto kind = string_of(o.if_contains("kind"));
  auto amount = json_integer(o.if_contains("amount"));
  if (!amount || *amount < 1 || *amount > kMaxAmount) {
    return core::FieldError{at + ".amount", "must be an integer from 1 to 4294967295"};
  }
  if (kind == "rate") {
    auto window = json_integer(o.if_contains("window_ms"));
    if (!window || *window < 1 || *window > (int64_t{1} << 40)) {
      return core::FieldError{at + ".window_ms", "must be a positive integer of milliseconds"};
    }
    return core::LimitSpec::rate(static_cast<uint64_t>(*amount),
                                 std::chrono::milliseconds(*window));
  }
  if (kind == "calendar") {
    auto period = string_of(o.if_contains("period"));
    for (auto p :
         {core::CalendarPeriod::kDay, core::CalendarPeriod::kWeek, core::CalendarPeriod::kMonth}) {
      if (period == core::period_name(p))
        return core::LimitSpec::calendar(static_cast<uint64_t>(*amount), p);
    }
    return core::FieldError{at + ".period", "must be day, week or month"};
  }
  if (kind == "concurrency") return core::LimitSpec::concurrency(static_cast<uint64_t>(*amount));
  return core::FieldError{at + ".kind", "must be rate, calendar or concurrency"};
}

std::variant<std::vector<core::Rule>, core::FieldError> rules_for_limits(
    const boost::json::value& limits, core::Subject subject) {
  if (!limits.is_array()) return core::FieldError{"limits", "must be an array"};
  std::map<std::optional<std::string>, core::Rule> by_type;
  const boost::json::array& items = limits.get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = "limits[" + std::to_string(i) + "]";
    auto limit = limit_from_json(items[i], at);
    if (auto* e = std::get_if<core::FieldError>(&limit)) return *e;
    std::optional<std::string> type;
    if (const boost::json::value* t = items[i].get_object().if_contains("type")) {
      type = string_of(t);
      if (!type) return core::FieldError{at + ".type", "must be a string"};
    }
    core::Rule& rule = by_type[type];
    rule.subject = subject;
    rule.command_type = type;
    rule.limits.push_back(std::get<core::LimitSpec>(limit));
  }
  std::vector<core::Rule> rules;
  for (auto& [type, rule] : by_type) rules.push_back(std::move(rule));
  return rules;
}

boost::json::object rule_to_json(const core::Rule& rule) {
  boost::json::array limits;
  for (const core::LimitSpec& l : rule.limits) {
    boost::json::object o{{"amount", l.amount}};
    switch (l.kind) {
      case core::LimitKind::kRate:
        o["kind"] = "rate";
        o["window_ms"] = l.window.count();
        break;
      case core::LimitKind::kCalendar:
        o["kind"] = "calendar";
        o["period"] = core::period_name(l.period);
        break;
      case core::LimitKind::kConcurrency:
        o["kind"] = "concurrency";
        break;
    }
    limits.push_back(std::move(o));
  }
  boost::json::object subject{{"kind", subject_kind_name(rule.subject.kind)}};
  if (rule.subject.kind == core::SubjectKind::kTier)
    subject["tier"] = core::tier_name(rule.subject.tier);
  if (rule.subject.kind == core::SubjectKind::kUser ||
      rule.subject.kind == core::SubjectKind::kKey) {
    subject["id"] = rule.subject.id;
  }
  boost::json::object out{
      {"name", rule.name},
      {"subject", std::move(subject)},
      {"enforcement", rule.enforcement == core::Enforcement::kShadow ? "shadow" : "enforce"},
      {"limits", std::move(limits)}};
  out["command_type"] = rule.command_type ? boost::json::value(*rule.command_type) : nullptr;
  if (rule.warn_at_pct) {
    boost::json::array warn_at;
    for (uint8_t pct : *rule.warn_at_pct) warn_at.push_back(pct);
    out["warn_at"] = std::move(warn_at);
  }
  if (rule.outage != core::OutagePolicy::kDefault) {
    out["outage"] = kOutageNames[static_cast<int>(rule.outage)];
  }
  return out;
}

std::variant<core::Rule, core::FieldError> rule_from_json(const boost::json::value& v) {
  if (!v.is_object()) return core::FieldError{"rule", "must be an object"};
  const boost::json::object& o = v.get_object();
  core::Rule rule;
  rule.name = string_of(o.if_contains("name")).value_or("");
  const boost::json::value* subject = o.if_contains("subject");
  if (subject == nullptr || !subject->is_object())
    return core::FieldError{"subject", "must be an object"};
  auto kind = string_of(subject->get_object().if_contains("kind"));
  bool known = false;
  for (auto k : {core::SubjectKind::kGlobal, core::SubjectKind::kTier, core::SubjectKind::kUser,
                 core::SubjectKind::kKey}) {
    if (kind == subject_kind_name(k)) rule.subject.kind = k, known = true;
  }
  if (!known) return core::FieldError{"subject.kind", "must be global, tier, user or key"};
  if (rule.subject.kind == core::SubjectKind::kTier) {
    auto tier = core::parse_tier(string_of(subject->get_object().if_contains("tier")).value_or(""));
    if (!tier) return core::FieldError{"subject.tier", "must be default, premium or enterprise"};
    rule.subject.tier = *tier;
  }
  if (rule.subject.kind == core::SubjectKind::kUser ||
      rule.subject.kind == core::SubjectKind::kKey) {
    auto id = json_integer(subject->get_object().if_contains("id"));
    if (!id || *id < 1) return core::FieldError{"subject.id", "must be a positive integer"};
    rule.subject.id = static_cast<uint64_t>(*id);
  }
  if (const boost::json::value* t = o.if_contains("command_type"); t && !t->is_null()) {
    rule.command_type = string_of(t);
    if (!rule.command_type) return core::FieldError{"command_type", "must be a string or null"};
  }
  auto enforcement = string_of(o.if_contains("enforcement")).value_or("enforce");
  if (enforcement != "enforce" && enforcement != "shadow") {
    return core::FieldError{"enforcement", "must be enforce or shadow"};
  }
  rule.enforcement =
      enforcement == "shadow" ? core::Enforcement::kShadow : core::Enforcement::kEnforce;
  if (const boost::json::value* w = o.if_contains("warn_at"); w != nullptr) {
    auto warn_at = warn_at_from_json(*w);
    if (!warn_at) {
      return core::FieldError{"warn_at",
                              "must be an array of at most 4 ascending percentages"
                              " from 1 to 100"};
    }
    rule.warn_at_pct = std::move(*warn_at);
  }
  if (const boost::json::value* p = o.if_contains("outage"); p != nullptr && !p->is_null()) {
    auto name = string_of(p);
    for (auto policy :
         {core::OutagePolicy::kOpen, core::OutagePolicy::kLocal, core::OutagePolicy::kClosed}) {
      if (name == kOutageNames[static_cast<int>(policy)]) rule.outage = policy;
    }
    if (rule.outage == core::OutagePolicy::kDefault) {
      return core::FieldError{"outage", "must be closed, open, local or null"};
    }
  }
  const boost::json::value* limits = o.if_contains("limits");
  if (limits == nullptr || !limits->is_array())
    return core::FieldError{"limits", "must be an array"};
  for (size_t i = 0; i < limits->get_array().size(); ++i) {
    auto limit = limit_from_json(limits->get_array()[i], "limits[" + std::to_string(i) + "]");
    if (auto* e = std::get_if<core::FieldError>(&limit)) return *e;
    rule.limits.push_back(std::get<core::LimitSpec>(limit));
  }
  return rule;
}

}  // namespace gaia::rules
