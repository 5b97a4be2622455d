#include "alerts/rule.h"

#include <algorithm>

namespace gaia::alerts {

bool holds(Condition condition, double value, double threshold) {
  switch (condition) {
    case Condition::kGreater:
      return value > threshold;
    case Condition::kGreaterEqual:
      return value >= threshold;
    case Condition::kLess:
      return value < threshold;
    case Condition::kLessEqual:
      return value <= threshold;
  }
  return false;
}

std::string_view condition_name(Condition c) {
  switch (c) {
    case Condition::kGreater:
      return ">";
    case Condition::kGreaterEqual:
      return ">=";
    case Condition::kLess:
      return "<";
    case Condition::kLessEqual:
      return "<=";
  }
  return ">";
}

std::optional<Condition> parse_condition(std::string_view text) {
  for (Condition c :
       {Condition::kGreater, Condition::kGreaterEqual, Condition::kLess, Condition::kLessEqual}) {
    if (condition_name(c) == text) return c;
  }
  return std::nullopt;
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    if (severity_name(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view scope_kind_name(ScopeKind k) {
  switch (k) {
    case ScopeKind::kGlobal:
      return "global";
    case ScopeKind::kUser:
      return "user";
    case ScopeKind::kType:
      return "type";
  }
  return "global";
}

std::optional<ScopeKind> parse_scope_kind(std::string_view text) {
  for (ScopeKind k : {ScopeKind::kGlobal, ScopeKind::kUser, ScopeKind::kType}) {
    if (scope_kind_name(k) == text) return k;
  }
  return std::nullopt;
}

std::string scope_label(ScopeKind kind, std::string_view key) {
  if (kind == ScopeKind::kGlobal) return "global";
  std::string out(scope_kind_name(kind));
  out += ':';
  out += key;
  return out;
}

bool known_channel(std::string_view name) {
  return std::find(std::begin(kChannelNames), std::end(kChannelNames), name) !=
         std::end(kChannelNames);
}

}  // namespace gaia::alerts
