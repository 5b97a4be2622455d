#include "alerts/rule_json.h"

#include <cmath>
#include <string>

#include "alerts/metric_source.h"

namespace gaia::alerts {
namespace {

using core::Result;
using core::Status;

constexpr size_t kMaxNameBytes = 128;

Status bad(std::string_view field, std::string_view reason) {
  return Status::invalid_argument(std::string(field) + ": " + std::string(reason));
}

Result<std::string> text(const boost::json::object& o, std::string_view field, bool required,
                         std::string fallback) {
  const boost::json::value* v = o.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) return bad(field, "is required");
    return fallback;
  }
  if (!v->is_string()) return bad(field, "must be a string");
  if (v->get_string().empty()) return bad(field, "must not be empty");
  if (v->get_string().size() > kMaxNameBytes) return bad(field, "must be at most 128 bytes");
  return std::string(v->get_string());
}

Result<int64_t> seconds(const boost::json::object& o, std::string_view field, int64_t fallback) {
  const boost::json::value* v = o.if_contains(field);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_int64() && !v->is_uint64()) return bad(field, "must be a whole number of seconds");
  const int64_t n = v->is_int64() ? v->get_int64() : static_cast<int64_t>(v->get_uint64());
  if (n < 0 || n > kMaxRuleSeconds || (v->is_uint64() && v->get_uint64() > INT64_MAX)) {
    return bad(field, "must be from 0 to 604800 seconds");
  }
  return n;
}

}  // namespace

Result<AlertRule> rule_from_json(const boost::json::value& v) {
  if (!v.is_object()) return bad("body", "must be a JSON object");
  const boost::json::object& o = v.get_object();
  static constexpr std::string_view kFields[] = {
      "id",   "name", "metric",   "condition", "threshold", "for",     "scope",
      "user", "type", "severity", "cooldown",  "channels",  "enabled", "builtin"};
  for (const auto& [key, value] : o) {
    bool known = false;
    for (std::string_view f : kFields) known = known || f == key;
    if (!known) return bad(key, "is not a field of an alert rule");
  }
  AlertRule rule;
  auto name = text(o, "name", true, "");
  if (!name.ok()) return name.status();
  rule.name = std::move(name.value());
  auto metric = text(o, "metric", true, "");
  if (!metric.ok()) return metric.status();
  const MetricInfo* info = find_metric(metric.value());
  if (info == nullptr) return bad("metric", "unknown metric " + metric.value());
  rule.metric = std::move(metric.value());

  auto condition = text(o, "condition", true, "");
  if (!condition.ok()) return condition.status();
  auto parsed_condition = parse_condition(condition.value());
  if (!parsed_condition) return bad("condition", "must be one of >, >=, <, <=");
  rule.condition = *parsed_condition;

  const boost::json::value* threshold = o.if_contains("threshold");
  if (threshold == nullptr || threshold->is_null()) return bad("threshold", "is required");
  if (!threshold->is_number()) return bad("threshold", "must be a number");
  rule.threshold = threshold->to_number<double>();
  if (!std::isfinite(rule.threshold)) return bad("threshold", "must be a finite number");

  auto for_s = seconds(o, "for", 0);
  if (!for_s.ok()) return for_s.status();
  rule.for_duration = std::chrono::seconds(for_s.value());
  auto cooldown = seconds(o, "cooldown", 300);
  if (!cooldown.ok()) return cooldown.status();
  rule.cooldown = std::chrono::seconds(cooldown.value());

  auto scope = text(o, "scope", false, "global");
  if (!scope.ok()) return scope.status();
  auto kind = parse_scope_kind(scope.value());
  if (!kind) return bad("scope", "must be global, user or type");
  if (!metric_has_scope(*info, *kind)) {
    return bad("scope", "metric " + rule.metric + " has no figures per " + scope.value());
  }
  rule.scope.kind = *kind;
  for (std::string_view field : {"user", "type"}) {
    auto named = text(o, field, false, "");
    if (!named.ok()) return named.status();
    if (named->empty()) continue;
    if (scope_kind_name(*kind) != field) {
      return bad(field, "only with scope " + std::string(field));
    }
    rule.scope.value = std::move(named.value());
  }

  auto severity = text(o, "severity", false, "warning");
  if (!severity.ok()) return severity.status();
  auto parsed_severity = parse_severity(severity.value());
  if (!parsed_severity) return bad("severity", "must be info, warning or critical");
  rule.severity = *parsed_severity;

  if (const boost::json::value* channels = o.if_contains("channels");
      channels != nullptr && !channels->is_null()) {
    if (!channels->is_array()) return bad("channels", "must be an array of channel names");
    rule.channels.clear();
    for (const boost::json::value& c : channels->get_array()) {
      if (!c.is_string() || !known_channel(c.get_string())) {
        return bad("channels", "each must be websocket, log or webhook");
      }
      std::string name(c.get_string());
      bool repeated = false;
      for (const std::string& seen : rule.channels) repeated = repeated || seen == name;
      if (!repeated) rule.channels.push_back(std::move(name));
    }
  }
  if (const boost::json::value* enabled = o.if_contains("enabled");
      enabled != nullptr && !enabled->is_null()) {
    if (!enabled->is_bool()) return bad("enabled", "must be true or false");
    rule.enabled = enabled->get_bool();
  }
  return rule;
}

boost::json::object rule_to_json(const AlertRule& rule) {
  boost::json::array channels;
  for (const std::string& c : rule.channels) channels.emplace_back(c);
  boost::json::object o{{"id", rule.id},
                        {"name", rule.name},
                        {"metric", rule.metric},
                        {"condition", condition_name(rule.condition)},
                        {"threshold", rule.threshold},
                        {"for", rule.for_duration.count()},
                        {"scope", scope_kind_name(rule.scope.kind)}};
  if (rule.scope.kind != ScopeKind::kGlobal && !rule.scope.value.empty()) {
    o[scope_kind_name(rule.scope.kind)] = rule.scope.value;
  }
  o["severity"] = severity_name(rule.severity);
  o["cooldown"] = rule.cooldown.count();
  o["channels"] = std::move(channels);
  o["enabled"] = rule.enabled;
  return o;
}

}  // namespace gaia::alerts
