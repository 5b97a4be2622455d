#include "confirm/pattern.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace gaia::confirm {
namespace {

using core::Result;
using core::Status;

Status field_error(std::string_view field, std::string_view message) {
  return Status::invalid_argument(std::string(field) + ": " + std::string(message));
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdBytes && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == ':';
  });
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; });
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

// Words of a prefix pattern, joined by single spaces.
std::string normalise_prefix(std::string_view p) {
  std::string out;
  bool space = false;
  for (char c : p) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Offset of the first ')' without a '(' (want_open == false) or of the first '(' never
// closed (want_open == true), skipping escapes and character classes; npos if none.
size_t unbalanced_paren(std::string_view re, bool want_open) {
  std::vector<size_t> open;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < re.size() && re[i + 1] == '^') ++i;
      if (i + 1 < re.size() && re[i + 1] == ']') ++i;
    } else if (c == '(') {
      open.push_back(i);
    } else if (c == ')') {
      if (open.empty()) {
        if (!want_open) return i;
      } else {
        open.pop_back();
      }
    }
  }
  return want_open && !open.empty() ? open.front() : std::string_view::npos;
}

// Where in `pattern` RE2's error lies: its error argument, or for paren errors (whose
// argument is the whole expression) the offending parenthesis.
size_t error_offset(std::string_view pattern, const re2::RE2& re) {
  if (re.error_code() == re2::RE2::ErrorMissingParen) return unbalanced_paren(pattern, true);
  if (re.error_code() == re2::RE2::ErrorUnexpectedParen) return unbalanced_paren(pattern, false);
  if (re.error_arg().empty()) return std::string_view::npos;
  return pattern.find(re.error_arg());
}

re2::RE2::Options options() {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(true);
  o.set_max_mem(8 << 20);
  return o;
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kApprove:
      return "approve";
    case Verdict::kDeny:
      return "deny";
    case Verdict::kAsk:
      return "ask";
  }
  return "ask";
}

std::optional<Verdict> parse_verdict(std::string_view name) {
  if (name == "approve") return Verdict::kApprove;
  if (name == "deny") return Verdict::kDeny;
  if (name == "ask") return Verdict::kAsk;
  return std::nullopt;
}

std::string_view match_kind_name(MatchKind m) {
  switch (m) {
    case MatchKind::kRegex:
      return "regex";
    case MatchKind::kGlob:
      return "glob";
    case MatchKind::kPrefix:
      return "prefix";
  }
  return "regex";
}

std::optional<MatchKind> parse_match_kind(std::string_view name) {
  if (name == "regex") return MatchKind::kRegex;
  if (name == "glob") return MatchKind::kGlob;
  if (name == "prefix") return MatchKind::kPrefix;
  return std::nullopt;
}

std::string glob_to_regex(std::string_view glob) {
  std::string out = "^(?:";
  for (size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*') {
      out += ".*";
    } else if (c == '?') {
      out += '.';
    } else if (c == '\\' && i + 1 < glob.size()) {
      out += re2::RE2::QuoteMeta(glob.substr(++i, 1));
    } else if (c == '[') {
      // A class runs to the next ']' that is not its first member; without one, '[' is literal.
      size_t j = i + 1;
      if (j < glob.size() && (glob[j] == '!' || glob[j] == '^')) ++j;
      if (j < glob.size() && glob[j] == ']') ++j;
      while (j < glob.size() && glob[j] != ']') ++j;
      if (j >= glob.size()) {
        out += "\\[";
        continue;
      }
      std::string cls = "[";
      size_t k = i + 1;
      if (glob[k] == '!' || glob[k] == '^') {
        cls += '^';
        ++k;
      }
      for (; k < j; ++k) {
        char m = glob[k];
        if (m == '\\' || m == '[' || m == ']' || (m == '^' && cls.size() == 1)) cls += '\\';
        cls += m;
      }
      cls += ']';
      out += cls;
      i = j;
    } else {
      out += re2::RE2::QuoteMeta(glob.substr(i, 1));
    }
  }
  out += ")$";
  return out;
}

Status validate_fields(const PatternSpec& spec) {
  if (!valid_id(spec.id)) {
    return field_error("id", "must be 1 to 64 characters of letters, digits, '.', '_', '-', ':'");
  }
  if (blank(spec.name)) return field_error("name", "must not be empty");
  if (spec.name.size() > kMaxNameBytes) return field_error("name", "longer than 200 bytes");
  if (has_control(spec.name)) return field_error("name", "contains control characters");
  if (spec.pattern.empty() || blank(spec.pattern)) {
    return field_error("pattern", "must not be empty");
  }
  if (spec.pattern.size() > kMaxPatternBytes) {
    return field_error("pattern", "longer than 4096 bytes");
  }
  if (spec.priority < -kMaxPriority || spec.priority > kMaxPriority) {
    return field_error("priority", "must be between -1000000 and 1000000");
  }
  if (spec.reason.size() > kMaxReasonBytes) return field_error("reason", "longer than 1000 bytes");
  if (has_control(spec.reason)) return field_error("reason", "contains control characters");
  if (spec.scope.command_type) {
    const std::string& t = *spec.scope.command_type;
    bool ok = !t.empty() && t.size() <= 64 && std::all_of(t.begin(), t.end(), [](char c) {
      return std::islower(static_cast<unsigned char>(c)) ||
             std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!ok) return field_error("scope.command_type", "must be 1 to 64 of [a-z0-9_-]");
  }
  if (spec.scope.user && (spec.scope.user->empty() || spec.scope.user->size() > 256 ||
                          has_control(*spec.scope.user))) {
    return field_error("scope.user", "must be 1 to 256 printable characters");
  }
  return Status();
}

Result<Pattern> Pattern::compile(PatternSpec spec) {
  if (Status s = validate_fields(spec); !s.ok()) return s;
  std::string expression;
  switch (spec.match) {
    case MatchKind::kRegex:
      expression = spec.pattern;
      break;
    case MatchKind::kGlob:
      expression = glob_to_regex(spec.pattern);
      break;
    case MatchKind::kPrefix: {
      std::string words = normalise_prefix(spec.pattern);
      expression = "^" + re2::RE2::QuoteMeta(words) + (words.back() == ' ' ? "" : "(?: |$)");
      break;
    }
  }
  auto re = std::make_shared<const re2::RE2>(expression, options());
  if (!re->ok()) {
    std::string message = "invalid " + std::string(match_kind_name(spec.match));
    if (spec.match == MatchKind::kRegex) {
      size_t at = error_offset(spec.pattern, *re);
      if (at != std::string::npos) message += " at offset " + std::to_string(at);
    }
    message += ": " + re->error();
    return field_error("pattern", message);
  }
  return Pattern(std::move(spec), std::move(expression), std::move(re));
}

bool Pattern::applies_to(const Context& context) const {
  const Scope& s = spec_.scope;
  return spec_.enabled && (!s.command_type || *s.command_type == context.command_type) &&
         (!s.user || *s.user == context.user) && (!s.tier || *s.tier == context.tier);
}

bool Pattern::matches(std::string_view text) const {
  return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace gaia::confirm
