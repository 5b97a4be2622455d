#pragma once
// An alert rule: a condition on one metric (alerts/metric_source.h) that must hold for a
// while before it fires, at one scope (the whole service, each user, or each command type),
// with a severity, a cooldown against notifying a flapping condition again, and the channels
// that hear of it. Plain values: copy freely; any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gaia::alerts {

enum class Condition : uint8_t { kGreater, kGreaterEqual, kLess, kLessEqual };
enum class ScopeKind : uint8_t { kGlobal, kUser, kType };
enum class Severity : uint8_t { kInfo, kWarning, kCritical };

// Where a rule looks: the whole service, or each user / each command type. With `value` set
// (a user or type name) only that one; empty means every one, each yielding its own alert.
struct Scope {
  ScopeKind kind = ScopeKind::kGlobal;
  std::string value;
};

struct AlertRule {
  uint64_t id = 0;  // assigned by the store
  std::string name;
  std::string metric;  // a name of metric_catalog()
  Condition condition = Condition::kGreater;
  double threshold = 0;
  std::chrono::seconds for_duration{0};  // how long the condition must hold before firing
  Scope scope;
  Severity severity = Severity::kWarning;
  std::chrono::seconds cooldown{0};  // no new firing notification sooner after the last one
  std::vector<std::string> channels{"websocket", "log"};
  bool enabled = true;
};

// True when `value` meets the condition against `threshold`.
bool holds(Condition condition, double value, double threshold);

std::string_view condition_name(Condition c);  // ">", ">=", "<", "<="
std::optional<Condition> parse_condition(std::string_view text);
std::string_view severity_name(Severity s);  // info, warning, critical
std::optional<Severity> parse_severity(std::string_view text);
std::string_view scope_kind_name(ScopeKind k);  // global, user, type
std::optional<ScopeKind> parse_scope_kind(std::string_view text);

// An alert's scope as shown and stored: "global", "user:ann", "type:shell".
std::string scope_label(ScopeKind kind, std::string_view key);

// The channels a rule may name.
inline constexpr std::string_view kChannelNames[] = {"websocket", "log", "webhook"};
bool known_channel(std::string_view name);

}  // namespace gaia::alerts
