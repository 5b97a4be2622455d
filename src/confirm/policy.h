#pragma once
// The confirmation policy: a compiled, immutable set of patterns that decides approve / deny /
// ask for a proposed command line. See docs/confirm.md.
//
// How a command is decided:
//   1. split_command() cuts it into parts (shell_split.h). A command that does not parse
//      (unterminated quote, unbalanced parens, too deep, too long) is answered ask, source
//      kUnparsable, with the parser's message as reason.
//   2. Each part is matched against the patterns that apply to the context (scope, enabled),
//      in order: priority descending, then id ascending. The first match decides the part.
//   3. Two guards no pattern can lift: a command part an approve pattern matched that uses an
//      option which runs a program, writes a file or changes the system (tool_options.h) is
//      asked about instead; an assignment part naming a variable that changes which code runs
//      (code_env.h) is asked about, as is `export`/`declare`/`typeset`/`local`/`readonly`
//      given such a NAME=value. The part's `guard` says why.
//   4. Combination: any part denied by a pattern -> deny; else any part asked by a pattern ->
//      ask; else an option guard -> ask, source kOption; else a variable guard -> ask, source
//      kEnvironment; else approve when every command part (PartKind::kCommand) was approved.
//      A command part no pattern matches makes the answer ask with source kDefault and
//      `unmatched` set: only then may the caller consult a reviewer. Context parts (wrappers,
//      pipelines, redirections, ...) only count when a pattern or a guard decides them. No
//      command part at all: ask, source kEmpty.
//
// Threads: a PatternSet never changes after make(); share it as shared_ptr<const PatternSet>
// and swap the pointer to change rules. decide() may be called from any number of threads.
//
// Example:
//   auto set = PatternSet::make(default_patterns());
//   Decision d = set->decide("cd x && rm -rf /", {.command_type = "shell", .user = "ann"});
//   // d.decision == Verdict::kDeny, d.pattern_id == "deny-rm-root"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confirm/pattern.h"
#include "confirm/shell_split.h"
#include "core/status.h"

namespace re2 {
class RE2;
}

namespace gaia::confirm {

enum class Source : uint8_t {
  kPattern,      // a pattern decided (pattern_id says which)
  kDefault,      // some command part matched no pattern
  kUnparsable,   // the command did not parse
  kEmpty,        // nothing to run
  kOption,       // an approved command uses an option that runs, writes or changes the system
  kEnvironment,  // the command sets a variable that changes which code runs
};

std::string_view source_name(Source s);

struct PartDecision {
  std::string text;
  PartKind kind = PartKind::kCommand;
  std::optional<Verdict> decision;        // nullopt: no pattern or guard decided
  std::optional<std::string> pattern_id;  // the first pattern that matched
  std::optional<std::string> guard = {};  // why a guard made the part ask ("rg --pre runs ...")
};

struct Decision {
  Verdict decision = Verdict::kAsk;
  std::string reason;
  Source source = Source::kDefault;
  std::optional<std::string> pattern_id;  // the deciding pattern, when source == kPattern
  bool unmatched = false;                 // some command part matched no pattern
  std::vector<PartDecision> parts;
};

struct PolicyOptions {
  SplitLimits limits;
};

class PatternSet {
 public:
  // Compiles and orders `specs`. Fails, naming the pattern ("patterns[3] (id x): pattern:
  // invalid regex ..."), on the first invalid spec or a repeated id.
  [[nodiscard]] static core::Result<PatternSet> make(std::vector<PatternSpec> specs,
                                                     PolicyOptions options = {});
  // Same, from patterns already compiled.
  [[nodiscard]] static core::Result<PatternSet> make(std::vector<Pattern> patterns,
                                                     PolicyOptions options = {});

  // The answer for `command` in `context`. Never fails: problems are answers (see above).
  Decision decide(std::string_view command, const Context& context) const;

  // In decision order.
  const std::vector<Pattern>& patterns() const { return patterns_; }

 private:
  struct Matcher;  // one RE2::Set over every enabled pattern, or nothing (fallback: one by one)

  PatternSet(std::vector<Pattern> patterns, PolicyOptions options);

  // Index into patterns_ of the first pattern that applies to `context` and matches `text`.
  std::optional<size_t> first_match(std::string_view text, const Context& context,
                                    std::vector<int>& scratch) const;

  std::vector<Pattern> patterns_;
  PolicyOptions options_;
  std::shared_ptr<const Matcher> matcher_;
};

}  // namespace gaia::confirm
