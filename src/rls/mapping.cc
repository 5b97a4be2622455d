#include "rls/mapping.h"

#include <algorithm>

#include "core/text.h"
#include "core/text_check.h"

namespace gaia::rls {
namespace {

constexpr std::string_view kApiKey = "api_key";
constexpr std::string_view kUser = "user";
constexpr std::string_view kType = "type";

bool is_word(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// Splits `text` at every `sep`, trimmed; empty parts are kept for the caller to refuse.
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(core::trim(text.substr(start, end - start)));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// `key=type` or `key:value=type`.
core::Result<TypeRule> parse_rule(std::string_view domain, std::string_view text) {
  const std::string where = "domain " + std::string(domain) + ": ";
  const size_t eq = text.rfind('=');
  if (eq == std::string_view::npos) {
    return core::Status::invalid_argument(where + "\"" + std::string(text) +
                                          "\" is not key=type or key:value=type");
  }
  const std::string_view type = core::trim(text.substr(eq + 1));
  std::string_view lhs = core::trim(text.substr(0, eq));
  TypeRule rule;
  if (const size_t colon = lhs.find(':'); colon != std::string_view::npos) {
    const std::string_view value = core::trim(lhs.substr(colon + 1));
    if (value.empty() || value.find('=') != std::string_view::npos) {
      return core::Status::invalid_argument(where + "\"" + std::string(text) +
                                            "\" has no value after the ':'");
    }
    rule.value = std::string(value);
    lhs = core::trim(lhs.substr(0, colon));
  }
  if (!is_word(lhs) || !is_word(type)) {
    return core::Status::invalid_argument(where + "\"" + std::string(text) +
                                          "\": keys and types are words ([A-Za-z0-9_.-])");
  }
  if (lhs == kApiKey || lhs == kUser || lhs == kType) {
    return core::Status::invalid_argument(where + "the entry " + std::string(lhs) +
                                          " already has its meaning");
  }
  rule.key = std::string(lhs);
  rule.type = std::string(type);
  return rule;
}

core::FieldError entry_error(size_t i, std::string_view what, std::string message) {
  return {"entries[" + std::to_string(i) + "]." + std::string(what), std::move(message)};
}

}  // namespace

core::Result<std::vector<Domain>> parse_domains(std::string_view text) {
  std::vector<Domain> domains;
  for (std::string_view part : split(text, ';')) {
    if (part.empty()) return core::Status::invalid_argument("an empty domain");
    Domain d;
    const size_t colon = part.find(':');
    d.name = std::string(core::trim(part.substr(0, colon)));
    if (!is_word(d.name)) {
      return core::Status::invalid_argument("domain names are words ([A-Za-z0-9_.-]): \"" + d.name +
                                            "\"");
    }
    if (find_domain(domains, d.name) != nullptr) {
      return core::Status::invalid_argument("domain " + d.name + " is named twice");
    }
    if (colon != std::string_view::npos) {
      for (std::string_view rule_text : split(part.substr(colon + 1), ',')) {
        auto rule = parse_rule(d.name, rule_text);
        if (!rule.ok()) return rule.status();
        d.type_rules.push_back(std::move(rule.value()));
      }
    }
    domains.push_back(std::move(d));
  }
  return domains;
}

const Domain* find_domain(std::span<const Domain> domains, std::string_view name) {
  auto it =
      std::find_if(domains.begin(), domains.end(), [&](const Domain& d) { return d.name == name; });
  return it == domains.end() ? nullptr : &*it;
}

std::variant<Ask, core::FieldError> ask_of(const Domain& domain, std::span<const Entry> entries) {
  Ask ask;
  bool has_principal = false;
  bool has_type = false;
  const TypeRule* rule_type = nullptr;  // the first rule an entry matches, by rule order
  size_t rule_entry = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (e.key.empty()) return entry_error(i, "key", "must not be empty");
    // Entries reach violations, logs and the live feed: only text that may be kept.
    if (const char* problem = core::text_problem(e.key)) return entry_error(i, "key", problem);
    if (const char* problem = core::text_problem(e.value)) return entry_error(i, "value", problem);
    if (e.key == kApiKey || e.key == kUser) {
      if (has_principal) return entry_error(i, "key", "a descriptor names one principal");
      std::string_view value = e.value;
      if (e.key == kApiKey) value = core::bearer_credentials(value).value_or(value);
      if (value.empty()) return entry_error(i, "value", "must not be empty");
      ask.kind = e.key == kApiKey ? PrincipalKind::kApiKey : PrincipalKind::kUser;
      ask.principal = value;
      ask.principal_entry = i;
      has_principal = true;
    } else if (e.key == kType) {
      if (has_type) return entry_error(i, "key", "a descriptor names one type");
      if (e.value.empty()) return entry_error(i, "value", "must not be empty");
      ask.type = e.value;
      ask.type_entry = i;
      has_type = true;
    } else {
      for (const TypeRule& rule : domain.type_rules) {
        if (rule_type != nullptr && &rule >= rule_type) break;  // an earlier rule already won
        if (rule.key == e.key && (!rule.value || *rule.value == e.value)) {
          rule_type = &rule;
          rule_entry = i;
          break;
        }
      }
    }
  }
  if (!has_principal) return core::FieldError{"entries", "needs an api_key or a user entry"};
  if (!has_type && rule_type != nullptr) {
    ask.type = rule_type->type;
    ask.type_entry = rule_entry;
    has_type = true;
  }
  if (!has_type) {
    return core::FieldError{
        "entries", "needs a type entry" +
                       std::string(domain.type_rules.empty()
                                       ? ""
                                       : " or one domain " + domain.name + " maps to a type")};
  }
  return ask;
}

}  // namespace gaia::rls
