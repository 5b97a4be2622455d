#pragma once
// A confirmation pattern: what an admin writes to approve, deny or ask about commands. A
// PatternSpec is plain data (from JSON, the store or code); Pattern::compile validates every
// field and compiles the matcher once. A Pattern is immutable and safe to share between
// threads (RE2 matching is const and thread-safe).
//
// Match kinds, each tested against the normalised text of one command part (see
// shell_split.h):
//   regex   RE2 syntax, searched anywhere in the text (anchor with ^ and $).
//   glob    the whole text, fnmatch-like: * any run of characters (spaces and / included),
//           ? one character, [abc] [a-z] [!x] [^x] a class, \x the character x.
//   prefix  the text starts with the pattern's words: "git push" matches "git push -f" and
//           "git push" but not "git pushy". Runs of blanks in the pattern count as one space.
//
// Example:
//   auto p = Pattern::compile({.id = "deny-mkfs", .name = "make a file system",
//                              .match = MatchKind::kRegex, .pattern = R"(^mkfs(\.\w+)?\b)",
//                              .decision = Verdict::kDeny, .reason = "formats a device"});
//   if (p.ok() && p->matches("mkfs.ext4 /dev/sdb1")) ...

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/tier.h"

namespace re2 {
class RE2;
}

namespace gaia::confirm {

enum class Verdict : uint8_t { kApprove, kDeny, kAsk };
enum class MatchKind : uint8_t { kRegex, kGlob, kPrefix };

std::string_view verdict_name(Verdict v);
std::optional<Verdict> parse_verdict(std::string_view name);
std::string_view match_kind_name(MatchKind m);
std::optional<MatchKind> parse_match_kind(std::string_view name);

// Where a pattern applies; an empty field means any.
struct Scope {
  std::optional<std::string> command_type;  // "shell", "code", ...
  std::optional<std::string> user;
  std::optional<core::Tier> tier;
};

// Limits on what a pattern may be.
inline constexpr size_t kMaxIdBytes = 64;
inline constexpr size_t kMaxNameBytes = 200;
inline constexpr size_t kMaxPatternBytes = 4096;
inline constexpr size_t kMaxReasonBytes = 1000;
inline constexpr int64_t kMaxPriority =
    1'000'000;  // priorities lie in [-kMaxPriority, kMaxPriority]

struct PatternSpec {
  std::string id;  // [A-Za-z0-9._:-]{1,64}, unique within a set
  std::string name;
  MatchKind match = MatchKind::kRegex;
  std::string pattern;
  Verdict decision = Verdict::kAsk;
  int64_t priority = 0;  // higher is tried first
  Scope scope;
  bool enabled = true;
  std::string reason;  // shown to whoever asked; may be empty
};

// The context a command is judged in.
struct Context {
  std::string_view command_type = "shell";
  std::string_view user;
  core::Tier tier = core::Tier::kDefault;
};

class Pattern {
 public:
  // Validates every field of `spec` and compiles it. Failure: kInvalidArgument whose message
  // starts with the field name ("pattern: invalid regex at offset 3: missing ): (ab").
  [[nodiscard]] static core::Result<Pattern> compile(PatternSpec spec);

  const PatternSpec& spec() const { return spec_; }

  // The expression that decides a match, in RE2 syntax: the regex itself, or the translation
  // of a glob or prefix (anchored). Used to build a PatternSet's RE2::Set.
  const std::string& expression() const { return expression_; }

  bool applies_to(const Context& context) const;
  bool matches(std::string_view text) const;

 private:
  Pattern(PatternSpec spec, std::string expression, std::shared_ptr<const re2::RE2> re)
      : spec_(std::move(spec)), expression_(std::move(expression)), re_(std::move(re)) {}

  PatternSpec spec_;
  std::string expression_;
  std::shared_ptr<const re2::RE2> re_;
};

// The RE2 expression equivalent to a glob (anchored at both ends). Exposed for tests.
std::string glob_to_regex(std::string_view glob);

// Validates the fields of `spec` other than the pattern text itself.
[[nodiscard]] core::Status validate_fields(const PatternSpec& spec);

}  // namespace gaia::confirm
