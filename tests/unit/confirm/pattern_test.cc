#include "confirm/pattern.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gaia::confirm {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

PatternSpec spec(MatchKind match, std::string pattern) {
  PatternSpec s;
  s.id = "p1";
  s.name = "a pattern";
  s.match = match;
  s.pattern = std::move(pattern);
  s.decision = Verdict::kDeny;
  return s;
}

Pattern compiled(MatchKind match, std::string pattern) {
  auto p = Pattern::compile(spec(match, std::move(pattern)));
  EXPECT_TRUE(p.ok()) << p.status().message();
  return std::move(p.value());
}

std::string error_of(PatternSpec s) {
  auto p = Pattern::compile(std::move(s));
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : p.status().message();
}

TEST(PatternTest, RegexIsSearchedAnywhereUnlessAnchored) {
  Pattern p = compiled(MatchKind::kRegex, "rm -rf");
  EXPECT_TRUE(p.matches("sudo rm -rf x"));
  EXPECT_FALSE(p.matches("rm -r x"));
  Pattern anchored = compiled(MatchKind::kRegex, "^rm -rf$");
  EXPECT_FALSE(anchored.matches("sudo rm -rf"));
  EXPECT_TRUE(anchored.matches("rm -rf"));
}

TEST(PatternTest, InvalidRegexNamesTheFieldTheErrorAndItsOffset) {
  std::string e = error_of(spec(MatchKind::kRegex, "^ls (a|b"));
  EXPECT_THAT(e, StartsWith("pattern: invalid regex at offset 4: missing )"));
  EXPECT_THAT(error_of(spec(MatchKind::kRegex, "ab[z-a]")),
              StartsWith("pattern: invalid regex at offset 3: invalid character class range"));
  EXPECT_THAT(error_of(spec(MatchKind::kRegex, "a**")), HasSubstr("bad repetition operator"));
  EXPECT_THAT(error_of(spec(MatchKind::kRegex, "[(]a)b")),
              StartsWith("pattern: invalid regex at offset 4: unexpected )"));
}

TEST(PatternTest, RegexWithBackreferenceIsRefused) {
  EXPECT_THAT(error_of(spec(MatchKind::kRegex, R"((a)\1)")), StartsWith("pattern: invalid regex"));
}

TEST(PatternTest, GlobMatchesTheWholeText) {
  Pattern p = compiled(MatchKind::kGlob, "git push *");
  EXPECT_TRUE(p.matches("git push origin main"));
  EXPECT_FALSE(p.matches("sudo git push origin"));
  EXPECT_FALSE(p.matches("git push"));
}

TEST(PatternTest, GlobStarCrossesSlashesAndSpaces) {
  Pattern p = compiled(MatchKind::kGlob, "rm * /*");
  EXPECT_TRUE(p.matches("rm -r -f /usr/lib"));
}

TEST(PatternTest, GlobQuestionMarkIsOneCharacter) {
  Pattern p = compiled(MatchKind::kGlob, "ls ?");
  EXPECT_TRUE(p.matches("ls a"));
  EXPECT_FALSE(p.matches("ls ab"));
}

TEST(PatternTest, GlobClassesAndNegation) {
  Pattern p = compiled(MatchKind::kGlob, "dd of=/dev/sd[a-c]");
  EXPECT_TRUE(p.matches("dd of=/dev/sdb"));
  EXPECT_FALSE(p.matches("dd of=/dev/sdd"));
  Pattern n = compiled(MatchKind::kGlob, "x[!0-9]");
  EXPECT_TRUE(n.matches("xa"));
  EXPECT_FALSE(n.matches("x5"));
  Pattern caret = compiled(MatchKind::kGlob, "x[^a]");
  EXPECT_FALSE(caret.matches("xa"));
  Pattern bracket = compiled(MatchKind::kGlob, "x[]]");
  EXPECT_TRUE(bracket.matches("x]"));
}

TEST(PatternTest, GlobSpecialCharactersAreLiteral) {
  Pattern p = compiled(MatchKind::kGlob, "echo (a+b).$x|y");
  EXPECT_TRUE(p.matches("echo (a+b).$x|y"));
  EXPECT_FALSE(p.matches("echo (aab).$x|y"));
  Pattern escaped = compiled(MatchKind::kGlob, "ls \\*");
  EXPECT_TRUE(escaped.matches("ls *"));
  EXPECT_FALSE(escaped.matches("ls a"));
  Pattern open = compiled(MatchKind::kGlob, "ls [a");
  EXPECT_TRUE(open.matches("ls [a"));
}

TEST(PatternTest, GlobTranslation) {
  EXPECT_EQ(glob_to_regex("a*b?c"), "^(?:a.*b.c)$");
  EXPECT_EQ(glob_to_regex("[!x]"), "^(?:[^x])$");
  EXPECT_EQ(glob_to_regex("a.b"), "^(?:a\\.b)$");
}

TEST(PatternTest, PrefixMatchesWholeWordsOnly) {
  Pattern p = compiled(MatchKind::kPrefix, "git  push");
  EXPECT_TRUE(p.matches("git push"));
  EXPECT_TRUE(p.matches("git push -f origin"));
  EXPECT_FALSE(p.matches("git pushy"));
  EXPECT_FALSE(p.matches("sudo git push"));
  Pattern ls = compiled(MatchKind::kPrefix, "ls");
  EXPECT_FALSE(ls.matches("lsblk"));
}

TEST(PatternTest, PrefixRegexCharactersAreLiteral) {
  Pattern p = compiled(MatchKind::kPrefix, "a.b");
  EXPECT_TRUE(p.matches("a.b c"));
  EXPECT_FALSE(p.matches("axb c"));
}

TEST(PatternTest, ValidatesEveryField) {
  PatternSpec s = spec(MatchKind::kRegex, "x");
  s.id = "";
  EXPECT_THAT(error_of(s), StartsWith("id: "));
  s.id = "has space";
  EXPECT_THAT(error_of(s), StartsWith("id: "));
  s.id = std::string(65, 'a');
  EXPECT_THAT(error_of(s), StartsWith("id: "));
  s = spec(MatchKind::kRegex, "x");
  s.name = "  ";
  EXPECT_THAT(error_of(s), StartsWith("name: must not be empty"));
  s.name = std::string(201, 'n');
  EXPECT_THAT(error_of(s), StartsWith("name: longer than 200"));
  s.name = "bad\nname";
  EXPECT_THAT(error_of(s), StartsWith("name: contains control"));
  s = spec(MatchKind::kGlob, "");
  EXPECT_THAT(error_of(s), StartsWith("pattern: must not be empty"));
  s = spec(MatchKind::kPrefix, std::string(4097, 'p'));
  EXPECT_THAT(error_of(s), StartsWith("pattern: longer than 4096"));
  s = spec(MatchKind::kRegex, "x");
  s.priority = 1'000'001;
  EXPECT_THAT(error_of(s), StartsWith("priority: "));
  s.priority = -1'000'001;
  EXPECT_THAT(error_of(s), StartsWith("priority: "));
  s = spec(MatchKind::kRegex, "x");
  s.reason = std::string(1001, 'r');
  EXPECT_THAT(error_of(s), StartsWith("reason: "));
  s = spec(MatchKind::kRegex, "x");
  s.scope.command_type = "Shell!";
  EXPECT_THAT(error_of(s), StartsWith("scope.command_type: "));
  s = spec(MatchKind::kRegex, "x");
  s.scope.user = "";
  EXPECT_THAT(error_of(s), StartsWith("scope.user: "));
}

TEST(PatternTest, AcceptsBoundaryValues) {
  PatternSpec s = spec(MatchKind::kRegex, "x");
  s.id = std::string(64, 'a');
  s.priority = 1'000'000;
  s.name = std::string(200, 'n');
  s.scope = {.command_type = "shell", .user = "ann", .tier = core::Tier::kPremium};
  EXPECT_TRUE(Pattern::compile(s).ok());
}

TEST(PatternTest, ScopeRestrictsWherePatternApplies) {
  PatternSpec s = spec(MatchKind::kPrefix, "ls");
  s.scope = {.command_type = "shell", .user = "ann", .tier = core::Tier::kPremium};
  auto p = Pattern::compile(s);
  ASSERT_TRUE(p.ok());
  Context match{.command_type = "shell", .user = "ann", .tier = core::Tier::kPremium};
  EXPECT_TRUE(p->applies_to(match));
  Context other_user = match;
  other_user.user = "bob";
  EXPECT_FALSE(p->applies_to(other_user));
  Context other_type = match;
  other_type.command_type = "code";
  EXPECT_FALSE(p->applies_to(other_type));
  Context other_tier = match;
  other_tier.tier = core::Tier::kDefault;
  EXPECT_FALSE(p->applies_to(other_tier));
}

TEST(PatternTest, DisabledPatternAppliesNowhere) {
  PatternSpec s = spec(MatchKind::kPrefix, "ls");
  s.enabled = false;
  auto p = Pattern::compile(s);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->applies_to(Context{}));
}

TEST(PatternTest, NamesRoundTrip) {
  for (Verdict v : {Verdict::kApprove, Verdict::kDeny, Verdict::kAsk}) {
    EXPECT_EQ(parse_verdict(verdict_name(v)), v);
  }
  for (MatchKind m : {MatchKind::kRegex, MatchKind::kGlob, MatchKind::kPrefix}) {
    EXPECT_EQ(parse_match_kind(match_kind_name(m)), m);
  }
  EXPECT_FALSE(parse_verdict("allow"));
  EXPECT_FALSE(parse_match_kind("re2"));
}

}  // namespace
}  // namespace gaia::confirm
