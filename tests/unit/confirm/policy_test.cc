#include "confirm/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "confirm/default_patterns.h"

namespace gaia::confirm {
namespace {

using ::testing::HasSubstr;

PatternSpec prefix(std::string id, std::string text, Verdict v, int64_t priority = 0) {
  PatternSpec s;
  s.id = std::move(id);
  s.name = "n " + text;
  s.match = MatchKind::kPrefix;
  s.pattern = std::move(text);
  s.decision = v;
  s.priority = priority;
  s.reason = "because";
  return s;
}

PatternSet make(std::vector<PatternSpec> specs) {
  auto set = PatternSet::make(std::move(specs));
  EXPECT_TRUE(set.ok()) << set.status().message();
  return std::move(set.value());
}

TEST(PolicyTest, OrdersPatternsByPriorityThenId) {
  PatternSet set = make({prefix("b", "x", Verdict::kAsk, 5), prefix("a", "y", Verdict::kAsk, 5),
                         prefix("c", "z", Verdict::kAsk, 9)});
  ASSERT_EQ(set.patterns().size(), 3u);
  EXPECT_EQ(set.patterns()[0].spec().id, "c");
  EXPECT_EQ(set.patterns()[1].spec().id, "a");
  EXPECT_EQ(set.patterns()[2].spec().id, "b");
}

TEST(PolicyTest, FirstMatchByPriorityDecidesAPart) {
  PatternSet set = make(
      {prefix("low", "git", Verdict::kApprove, 1), prefix("high", "git push", Verdict::kAsk, 2)});
  Decision d = set.decide("git push", Context{});
  EXPECT_EQ(d.decision, Verdict::kAsk);
  EXPECT_EQ(d.pattern_id, "high");
  EXPECT_EQ(set.decide("git status", Context{}).decision, Verdict::kApprove);
}

TEST(PolicyTest, EqualPriorityFallsBackToIdOrder) {
  PatternSet set =
      make({prefix("b-deny", "ls", Verdict::kDeny), prefix("a-ok", "ls", Verdict::kApprove)});
  Decision d = set.decide("ls", Context{});
  EXPECT_EQ(d.decision, Verdict::kApprove);
  EXPECT_EQ(d.pattern_id, "a-ok");
}

TEST(PolicyTest, AnyDeniedPartDeniesTheCommand) {
  PatternSet set = make({prefix("ok", "ls", Verdict::kApprove), prefix("no", "rm", Verdict::kDeny),
                         prefix("hm", "git", Verdict::kAsk)});
  Decision d = set.decide("ls && git x; rm y", Context{});
  EXPECT_EQ(d.decision, Verdict::kDeny);
  EXPECT_EQ(d.source, Source::kPattern);
  EXPECT_EQ(d.pattern_id, "no");
  EXPECT_EQ(d.reason, "because");
  ASSERT_EQ(d.parts.size(), 3u);
  EXPECT_EQ(d.parts[0].decision, Verdict::kApprove);
  EXPECT_EQ(d.parts[1].decision, Verdict::kAsk);
  EXPECT_EQ(d.parts[2].decision, Verdict::kDeny);
  EXPECT_EQ(d.parts[2].pattern_id, "no");
}

TEST(PolicyTest, AskWinsOverApprove) {
  PatternSet set =
      make({prefix("ok", "ls", Verdict::kApprove), prefix("hm", "git", Verdict::kAsk)});
  Decision d = set.decide("ls | git x", Context{});
  EXPECT_EQ(d.decision, Verdict::kAsk);
  EXPECT_EQ(d.pattern_id, "hm");
}

TEST(PolicyTest, ApprovesOnlyWhenEveryCommandPartIsApproved) {
  PatternSet set = make({prefix("ok", "ls", Verdict::kApprove)});
  Decision d = set.decide("ls a; ls b", Context{});
  EXPECT_EQ(d.decision, Verdict::kApprove);
  EXPECT_FALSE(d.unmatched);
  EXPECT_EQ(d.source, Source::kPattern);
}

TEST(PolicyTest, UnmatchedCommandPartAsksWithSourceDefault) {
  PatternSet set = make({prefix("ok", "ls", Verdict::kApprove)});
  Decision d = set.decide("ls && make", Context{});
  EXPECT_EQ(d.decision, Verdict::kAsk);
  EXPECT_EQ(d.source, Source::kDefault);
  EXPECT_TRUE(d.unmatched);
  EXPECT_FALSE(d.pattern_id);
  ASSERT_EQ(d.parts.size(), 2u);
  EXPECT_FALSE(d.parts[1].decision);
}

TEST(PolicyTest, AskPatternKeepsTheUnmatchedFlag) {
  PatternSet set = make({prefix("hm", "git", Verdict::kAsk)});
  Decision d = set.decide("git x; make", Context{});
  EXPECT_EQ(d.decision, Verdict::kAsk);
  EXPECT_EQ(d.source, Source::kPattern);
  EXPECT_TRUE(d.unmatched);
}

TEST(PolicyTest, UnparsableCommandAsks) {
  PatternSet set = make({prefix("ok", "ls", Verdict::kApprove)});
  Decision d = set.decide("ls 'oops", Context{});
  EXPECT_EQ(d.decision, Verdict::kAsk);
  EXPECT_EQ(d.source, Source::kUnparsable);
  EXPECT_THAT(d.reason, HasSubstr("unterminated single quote"));
  EXPECT_TRUE(d.parts.empty());
}

TEST(PolicyTest, TooLongCommandAsks) {
  PolicyOptions options;
  options.limits.max_input_bytes = 8;
  auto set = PatternSet::make({prefix("ok", "ls", Verdict::kApprove)}, options);
  ASSERT_TRUE(set.ok());
  Decision d = set->decide("ls aaaaaaaaaa", Context{});
  EXPECT_EQ(d.source, Source::kUnparsable);
  EXPECT_EQ(d.decision, Verdict::kAsk);
}

TEST(PolicyTest, EmptyCommandAsks) {
  PatternSet set = make({prefix("ok", "ls", Verdict::kApprove)});
  Decision d = set.decide("  # nothing", Context{});
  EXPECT_EQ(d.decision, Verdict::kAsk);
  EXPECT_EQ(d.source, Source::kEmpty);
}

TEST(PolicyTest, UnmatchedContextPartsDoNotCount) {
  PatternSet set = make({prefix("ok", "ls", Verdict::kApprove)});
  // A wrapper, a pipeline, a redirection: none matched, none asked about.
  EXPECT_EQ(set.decide("nohup ls | ls > /tmp/x", Context{}).decision, Verdict::kApprove);
}

TEST(PolicyTest, MatchedContextPartsOnlyMakeTheAnswerStricter) {
  PatternSet set =
      make({prefix("ok", "ls", Verdict::kApprove), prefix("sudo", "sudo", Verdict::kAsk),
            prefix("pipe-ok", "rm x |", Verdict::kApprove)});
  EXPECT_EQ(set.decide("sudo ls", Context{}).decision, Verdict::kAsk);
  // An approval of the pipeline part does not approve its unmatched rm.
  EXPECT_EQ(set.decide("rm x | ls", Context{}).decision, Verdict::kAsk);
}

TEST(PolicyTest, ScopedPatternAppliesOnlyInItsScope) {
  PatternSpec ann = prefix("ann-make", "make", Verdict::kApprove);
  ann.scope.user = "ann";
  PatternSpec enterprise = prefix("ent-make", "make", Verdict::kApprove);
  enterprise.scope.tier = core::Tier::kEnterprise;
  PatternSpec code = prefix("code-make", "make", Verdict::kDeny, 1);
  code.scope.command_type = "code";
  PatternSet set = make({ann, enterprise, code});
  EXPECT_EQ(set.decide("make", {.command_type = "shell", .user = "ann"}).decision,
            Verdict::kApprove);
  EXPECT_EQ(set.decide("make", {.command_type = "shell", .user = "bob"}).decision, Verdict::kAsk);
  EXPECT_EQ(
      set.decide("make", {.command_type = "shell", .user = "bob", .tier = core::Tier::kEnterprise})
          .decision,
      Verdict::kApprove);
  EXPECT_EQ(set.decide("make", {.command_type = "code", .user = "ann"}).decision, Verdict::kDeny);
}

TEST(PolicyTest, DisabledPatternNeverMatches) {
  PatternSpec off = prefix("off", "rm", Verdict::kDeny, 10);
  off.enabled = false;
  PatternSet set = make({off, prefix("ok", "rm", Verdict::kApprove)});
  EXPECT_EQ(set.decide("rm x", Context{}).decision, Verdict::kApprove);
}

TEST(PolicyTest, RefusesRepeatedIds) {
  auto set =
      PatternSet::make({prefix("same", "a", Verdict::kAsk), prefix("same", "b", Verdict::kAsk)});
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(set.status().message(), HasSubstr("patterns[1] (id same): id: used twice"));
}

TEST(PolicyTest, RefusesAnInvalidPatternNamingItsIndex) {
  PatternSpec bad = prefix("bad", "x", Verdict::kAsk);
  bad.match = MatchKind::kRegex;
  bad.pattern = "(";
  auto set = PatternSet::make({prefix("ok", "a", Verdict::kAsk), bad});
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(set.status().message(), HasSubstr("patterns[1] (id bad): pattern: invalid regex"));
}

TEST(PolicyTest, EveryKindOfPatternMatchesThroughTheSet) {
  PatternSpec re = prefix("re", "^mkfs", Verdict::kDeny);
  re.match = MatchKind::kRegex;
  PatternSpec gl = prefix("gl", "dd *of=/dev/sd?", Verdict::kDeny);
  gl.match = MatchKind::kGlob;
  PatternSet set = make({re, gl, prefix("pre", "ls", Verdict::kApprove)});
  EXPECT_EQ(set.decide("mkfs.ext4 /dev/x", Context{}).pattern_id, "re");
  EXPECT_EQ(set.decide("dd if=x of=/dev/sda", Context{}).pattern_id, "gl");
  EXPECT_EQ(set.decide("dd if=x of=/dev/sda1", Context{}).decision, Verdict::kAsk);
  EXPECT_EQ(set.decide("ls -l", Context{}).pattern_id, "pre");
}

TEST(PolicyTest, NoPatternsAsksForEveryCommand) {
  PatternSet set = make({});
  Decision d = set.decide("ls", Context{});
  EXPECT_EQ(d.decision, Verdict::kAsk);
  EXPECT_TRUE(d.unmatched);
}

TEST(PolicyTest, DefaultPatternsAllCompile) {
  auto set = PatternSet::make(default_patterns());
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_GE(set->patterns().size(), 15u);
  for (const Pattern& p : set->patterns()) EXPECT_TRUE(p.spec().id.starts_with("default-"));
}

TEST(PolicyTest, SharedSetGivesTheSameAnswersOnManyThreads) {
  auto set = PatternSet::make(default_patterns());
  ASSERT_TRUE(set.ok());
  auto shared = std::make_shared<const PatternSet>(std::move(set.value()));
  const char* commands[] = {"ls -la", "rm -rf /", "git push -f", "make", "curl x | sh"};
  Verdict expected[] = {Verdict::kApprove, Verdict::kDeny, Verdict::kAsk, Verdict::kAsk,
                        Verdict::kDeny};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        int k = (i + t) % 5;
        if (shared->decide(commands[k], Context{}).decision != expected[k]) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace gaia::confirm
