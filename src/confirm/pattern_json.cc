#include "confirm/pattern_json.h"

#include <boost/json.hpp>
#include <cmath>

namespace gaia::confirm {
namespace {

namespace json = boost::json;
using core::Result;
using core::Status;

Status field_error(std::string_view field, std::string_view message) {
  return Status::invalid_argument(std::string(field) + ": " + std::string(message));
}

// A required or optional string field; `out` untouched when absent and optional.
Status read_string(const json::object& o, std::string_view key, bool required, std::string& out,
                   std::string_view field) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return required ? field_error(field, "is required") : Status();
  if (!v->is_string()) return field_error(field, "must be a string");
  out = std::string(v->get_string());
  return Status();
}

Status read_scope(const json::value& v, Scope& scope) {
  if (v.is_null()) return Status();
  if (!v.is_object()) return field_error("scope", "must be an object");
  const json::object& o = v.get_object();
  for (const auto& kv : o) {
    if (kv.key() != "command_type" && kv.key() != "user" && kv.key() != "tier") {
      return field_error("scope." + std::string(kv.key()), "unknown field");
    }
  }
  auto optional_string = [&](std::string_view key, std::optional<std::string>& out) -> Status {
    const json::value* f = o.if_contains(key);
    if (f == nullptr || f->is_null()) return Status();
    if (!f->is_string()) return field_error("scope." + std::string(key), "must be a string");
    out = std::string(f->get_string());
    return Status();
  };
  if (Status s = optional_string("command_type", scope.command_type); !s.ok()) return s;
  if (Status s = optional_string("user", scope.user); !s.ok()) return s;
  std::optional<std::string> tier;
  if (Status s = optional_string("tier", tier); !s.ok()) return s;
  if (tier) {
    scope.tier = core::parse_tier(*tier);
    if (!scope.tier) {
      return field_error("scope.tier", "must be one of default, premium, enterprise");
    }
  }
  return Status();
}

json::value optional_to_json(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

}  // namespace

Result<PatternSpec> pattern_from_json(const json::value& v) {
  if (!v.is_object()) return Status::invalid_argument("pattern must be a JSON object");
  const json::object& o = v.get_object();
  static constexpr std::string_view kKnown[] = {
      "id", "name", "match", "pattern", "decision", "priority", "scope", "enabled", "reason"};
  for (const auto& kv : o) {
    bool known = false;
    for (std::string_view k : kKnown) known |= kv.key() == k;
    if (!known) return field_error(kv.key(), "unknown field");
  }
  PatternSpec spec;
  if (Status s = read_string(o, "id", true, spec.id, "id"); !s.ok()) return s;
  if (Status s = read_string(o, "name", true, spec.name, "name"); !s.ok()) return s;
  std::string match;
  if (Status s = read_string(o, "match", true, match, "match"); !s.ok()) return s;
  auto kind = parse_match_kind(match);
  if (!kind) return field_error("match", "must be one of regex, glob, prefix");
  spec.match = *kind;
  if (Status s = read_string(o, "pattern", true, spec.pattern, "pattern"); !s.ok()) return s;
  std::string decision;
  if (Status s = read_string(o, "decision", true, decision, "decision"); !s.ok()) return s;
  auto verdict = parse_verdict(decision);
  if (!verdict) return field_error("decision", "must be one of approve, deny, ask");
  spec.decision = *verdict;
  if (const json::value* p = o.if_contains("priority")) {
    if (p->is_int64()) {
      spec.priority = p->get_int64();
    } else if (p->is_uint64()) {
      spec.priority = kMaxPriority + 1;  // out of range either way
    } else if (p->is_double() && std::abs(p->get_double()) <= 1e15 &&
               p->get_double() == std::trunc(p->get_double())) {
      // Bounded before the conversion, which past int64's range would be undefined.
      spec.priority = static_cast<int64_t>(p->get_double());
    } else {
      return field_error("priority", "must be an integer");
    }
  }
  if (const json::value* e = o.if_contains("enabled")) {
    if (!e->is_bool()) return field_error("enabled", "must be true or false");
    spec.enabled = e->get_bool();
  }
  if (Status s = read_string(o, "reason", false, spec.reason, "reason"); !s.ok()) return s;
  if (const json::value* s = o.if_contains("scope")) {
    if (Status st = read_scope(*s, spec.scope); !st.ok()) return st;
  }
  if (Status s = validate_fields(spec); !s.ok()) return s;
  return spec;
}

json::object pattern_to_json(const PatternSpec& spec) {
  json::object scope;
  scope["command_type"] = optional_to_json(spec.scope.command_type);
  scope["user"] = optional_to_json(spec.scope.user);
  scope["tier"] =
      spec.scope.tier ? json::value(core::tier_name(*spec.scope.tier)) : json::value(nullptr);
  json::object o;
  o["id"] = spec.id;
  o["name"] = spec.name;
  o["match"] = match_kind_name(spec.match);
  o["pattern"] = spec.pattern;
  o["decision"] = verdict_name(spec.decision);
  o["priority"] = spec.priority;
  o["enabled"] = spec.enabled;
  o["reason"] = spec.reason;
  o["scope"] = std::move(scope);
  return o;
}

json::object decision_to_json(const Decision& d) {
  json::array parts;
  for (const PartDecision& p : d.parts) {
    json::object jp;
    jp["text"] = p.text;
    jp["kind"] = part_kind_name(p.kind);
    jp["decision"] = p.decision ? json::value(verdict_name(*p.decision)) : json::value(nullptr);
    jp["pattern_id"] = optional_to_json(p.pattern_id);
    if (p.guard) jp["guard"] = *p.guard;
    parts.push_back(std::move(jp));
  }
  json::object o;
  o["decision"] = verdict_name(d.decision);
  o["reason"] = d.reason;
  o["source"] = source_name(d.source);
  o["pattern_id"] = optional_to_json(d.pattern_id);
  o["unmatched"] = d.unmatched;
  o["parts"] = std::move(parts);
  return o;
}

}  // namespace gaia::confirm
