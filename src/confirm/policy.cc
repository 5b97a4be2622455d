#include "confirm/policy.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <set>

#include "confirm/code_env.h"
#include "confirm/detail/wrappers.h"
#include "confirm/tool_options.h"

namespace gaia::confirm {

using core::Result;
using core::Status;

// Every enabled pattern in one RE2::Set, so that a part is matched against all of them in one
// pass over its text; set index i is pattern index ids[i].
struct PatternSet::Matcher {
  explicit Matcher(const re2::RE2::Options& o) : set(o, re2::RE2::UNANCHORED) {}
  re2::RE2::Set set;
  std::vector<size_t> ids;
};

namespace {

re2::RE2::Options set_options() {
  re2::RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(true);
  o.set_max_mem(64 << 20);
  return o;
}

// The variable an assignment part sets, when it changes which code runs ("PATH" for
// "PATH=x" or "PATH+=x"; "A" for "A[1]=x").
std::optional<CodeEnvFinding> variable_guard(std::string_view assignment) {
  const std::string name(assignment.substr(0, assignment.find_first_of("=+[")));
  const CodeEnvEntry* e = code_env_entry(name);
  if (e == nullptr) return std::nullopt;
  return CodeEnvFinding{name, e->what};
}

// The assignments a part makes: itself for an assignment part, the NAME=value arguments of a
// builtin that sets variables (`export PATH=/tmp/x`, `declare -x LD_PRELOAD=x`).
std::vector<std::string_view> assignments_of(const CommandPart& part, std::string_view text) {
  if (part.kind == PartKind::kAssignment) return {text};
  std::vector<std::string_view> out;
  static constexpr std::string_view kSetters[] = {"export", "declare", "typeset", "local",
                                                  "readonly"};
  if (part.kind != PartKind::kCommand || part.argv.empty() ||
      std::find(std::begin(kSetters), std::end(kSetters), part.argv[0]) == std::end(kSetters)) {
    return out;
  }
  for (size_t i = 1; i < part.argv.size(); ++i) {
    if (detail::is_assignment(part.argv[i])) out.push_back(part.argv[i]);
  }
  return out;
}

// Whether the command part to come gets words from xargs' input appended: options nobody
// sees. It does when the wrappers and assignments right before it include xargs.
class XargsTracker {
 public:
  bool next(const CommandPart& part) {
    const bool added = part.kind == PartKind::kCommand && after_xargs_;
    if (part.kind == PartKind::kWrapper && !part.argv.empty() &&
        detail::basename_of(part.argv[0]) == "xargs") {
      after_xargs_ = true;
    } else if (part.kind != PartKind::kWrapper && part.kind != PartKind::kAssignment) {
      after_xargs_ = false;
    }
    return added;
  }

 private:
  bool after_xargs_ = false;
};

bool before(const Pattern& a, const Pattern& b) {
  if (a.spec().priority != b.spec().priority) return a.spec().priority > b.spec().priority;
  return a.spec().id < b.spec().id;
}

}  // namespace

std::string_view source_name(Source s) {
  switch (s) {
    case Source::kPattern:
      return "pattern";
    case Source::kDefault:
      return "default";
    case Source::kUnparsable:
      return "unparsable";
    case Source::kEmpty:
      return "empty";
    case Source::kOption:
      return "option";
    case Source::kEnvironment:
      return "environment";
  }
  return "default";
}

PatternSet::PatternSet(std::vector<Pattern> patterns, PolicyOptions options)
    : patterns_(std::move(patterns)), options_(options) {
  auto matcher = std::make_shared<Matcher>(set_options());
  bool ok = true;
  for (size_t i = 0; i < patterns_.size() && ok; ++i) {
    if (!patterns_[i].spec().enabled) continue;
    ok = matcher->set.Add(patterns_[i].expression(), nullptr) >= 0;
    matcher->ids.push_back(i);
  }
  // Without a set (too big to compile) each pattern is tried on its own: slower, same answers.
  if (ok && matcher->set.Compile()) matcher_ = std::move(matcher);
}

Result<PatternSet> PatternSet::make(std::vector<PatternSpec> specs, PolicyOptions options) {
  std::vector<Pattern> patterns;
  patterns.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string id = specs[i].id;
    auto p = Pattern::compile(std::move(specs[i]));
    if (!p.ok()) {
      return Status::invalid_argument("patterns[" + std::to_string(i) + "] (id " + id +
                                      "): " + p.status().message());
    }
    patterns.push_back(std::move(p.value()));
  }
  return make(std::move(patterns), options);
}

Result<PatternSet> PatternSet::make(std::vector<Pattern> patterns, PolicyOptions options) {
  std::set<std::string_view> ids;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (!ids.insert(patterns[i].spec().id).second) {
      return Status::invalid_argument("patterns[" + std::to_string(i) + "] (id " +
                                      patterns[i].spec().id + "): id: used twice");
    }
  }
  std::stable_sort(patterns.begin(), patterns.end(), before);
  return PatternSet(std::move(patterns), options);
}

std::optional<size_t> PatternSet::first_match(std::string_view text, const Context& context,
                                              std::vector<int>& scratch) const {
  if (matcher_) {
    scratch.clear();
    re2::RE2::Set::ErrorInfo info;
    if (matcher_->set.Match(re2::StringPiece(text.data(), text.size()), &scratch, &info)) {
      std::optional<size_t> best;
      for (int k : scratch) {
        size_t i = matcher_->ids[static_cast<size_t>(k)];
        if ((!best || i < *best) && patterns_[i].applies_to(context)) best = i;
      }
      return best;
    }
    if (info.kind == re2::RE2::Set::kNoError) return std::nullopt;
    // kOutOfMemory (DFA budget) and the like: answer one pattern at a time.
  }
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (patterns_[i].applies_to(context) && patterns_[i].matches(text)) return i;
  }
  return std::nullopt;
}

Decision PatternSet::decide(std::string_view command, const Context& context) const {
  Decision d;
  auto split = split_command(command, options_.limits);
  if (!split.ok()) {
    d.decision = Verdict::kAsk;
    d.source = Source::kUnparsable;
    d.reason = "cannot parse the command: " + split.status().message();
    return d;
  }
  std::vector<CommandPart>& parts = split.value();
  d.parts.reserve(parts.size());
  std::vector<int> scratch;
  // The deciding pattern of each verdict: the first in decision order among matched parts.
  std::optional<size_t> deciding[3];
  std::optional<std::string> option_guard;  // the first command part's forbidden option
  std::vector<std::string> assigned;        // variables set that change which code runs
  size_t commands = 0;
  bool all_approved = true;
  XargsTracker xargs;
  for (CommandPart& part : parts) {
    PartDecision pd{.text = std::move(part.text),
                    .kind = part.kind,
                    .decision = {},
                    .pattern_id = {},
                    .guard = {}};
    bool is_command = part.kind == PartKind::kCommand;
    commands += is_command ? 1 : 0;
    const bool arguments_added = xargs.next(part);
    std::optional<size_t> m = first_match(pd.text, context, scratch);
    if (m) {
      const PatternSpec& spec = patterns_[*m].spec();
      pd.decision = spec.decision;
      pd.pattern_id = spec.id;
      std::optional<ForbiddenUse> use;
      if (is_command && spec.decision == Verdict::kApprove) {
        use = find_forbidden_use(part.argv, arguments_added);
      }
      if (use) {
        pd.decision = Verdict::kAsk;
        pd.guard = use->reason();
        if (!option_guard) option_guard = pd.guard;
      } else {
        std::optional<size_t>& best = deciding[static_cast<int>(spec.decision)];
        if (!best || *m < *best) best = *m;
      }
      if (is_command && pd.decision != Verdict::kApprove) all_approved = false;
    } else if (is_command) {
      d.unmatched = true;
      all_approved = false;
    }
    for (std::string_view assignment : assignments_of(part, pd.text)) {
      std::optional<CodeEnvFinding> finding = variable_guard(assignment);
      if (!finding || pd.decision == Verdict::kDeny) continue;
      if (is_command) all_approved = false;
      pd.decision = Verdict::kAsk;
      pd.guard = describe({&*finding, 1});
      assigned.push_back(finding->name);
    }
    d.parts.push_back(std::move(pd));
  }
  auto by_pattern = [&](Verdict v, size_t i) {
    const PatternSpec& spec = patterns_[i].spec();
    d.decision = v;
    d.source = Source::kPattern;
    d.pattern_id = spec.id;
    d.reason = spec.reason.empty() ? spec.name : spec.reason;
  };
  if (auto& deny = deciding[static_cast<int>(Verdict::kDeny)]) {
    by_pattern(Verdict::kDeny, *deny);
  } else if (auto& ask = deciding[static_cast<int>(Verdict::kAsk)]) {
    by_pattern(Verdict::kAsk, *ask);
  } else if (option_guard) {
    d.decision = Verdict::kAsk;
    d.source = Source::kOption;
    d.reason = *option_guard + "; no pattern approves that";
  } else if (!assigned.empty()) {
    d.decision = Verdict::kAsk;
    d.source = Source::kEnvironment;
    d.reason = describe(judge_env(assigned));
  } else if (d.unmatched) {
    d.decision = Verdict::kAsk;
    d.source = Source::kDefault;
    d.reason = "no pattern matches this command";
  } else if (commands == 0) {
    d.decision = Verdict::kAsk;
    d.source = Source::kEmpty;
    d.reason = "no command to run";
  } else if (all_approved) {
    by_pattern(Verdict::kApprove, *deciding[static_cast<int>(Verdict::kApprove)]);
  }
  return d;
}

}  // namespace gaia::confirm
