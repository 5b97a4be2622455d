#include "core/rule_set.h"

#include <gtest/gtest.h>

#include <vector>

#include "unit/core/test_rules.h"

namespace gaia::core {
namespace {

using namespace std::chrono_literals;
using testing::kGlobal;
using testing::rule_for;

std::string compile_error(std::vector<Rule> rules) {
  auto set = RuleSet::compile(std::move(rules), {default_command_types(), Calendar::utc(), {}});
  return set.ok() ? "" : set.status().message();
}

TEST(RuleSetTest, DefaultRulesCompile) { EXPECT_EQ(compile_error(default_rules()), ""); }

TEST(RuleSetTest, UnknownCommandTypeNamesTheField) {
  EXPECT_EQ(compile_error({rule_for(kGlobal, "deploy", {LimitSpec::rate(1, 1s)})}),
            "rules[0].command_type: unknown type \"deploy\"");
}

TEST(RuleSetTest, WarningThresholdsMustBeAscendingPercentages) {
  auto with_warn_at = [](std::vector<uint8_t> warn_at) {
    Rule r = rule_for(kGlobal, "shell", {LimitSpec::calendar(10, CalendarPeriod::kDay)});
    r.warn_at_pct = std::move(warn_at);
    return compile_error({r});
  };
  EXPECT_EQ(with_warn_at({50, 90}), "");
  EXPECT_EQ(with_warn_at({}), "") << "none: the rule never warns";
  EXPECT_EQ(with_warn_at({90, 50}), "rules[0].warn_at[1]: percentages from 1 to 100, ascending");
  EXPECT_EQ(with_warn_at({0}), "rules[0].warn_at[0]: percentages from 1 to 100, ascending");
  EXPECT_EQ(with_warn_at({101}), "rules[0].warn_at[0]: percentages from 1 to 100, ascending");
  EXPECT_EQ(with_warn_at({10, 20, 30, 40, 50}), "rules[0].warn_at: at most 4 thresholds");
}

TEST(RuleSetTest, ARulesThresholdsReachItsLimitsAndOthersTakeTheTiers) {
  Rule own = rule_for(kGlobal, "shell", {LimitSpec::calendar(10, CalendarPeriod::kDay)});
  own.warn_at_pct = std::vector<uint8_t>{50};
  auto rules = testing::compile_or_die(
      {own, rule_for(kGlobal, "code", {LimitSpec::calendar(10, CalendarPeriod::kDay)})});
  Policy scratch;
  const Policy& shell = rules->resolve({1, 0, Tier::kDefault}, testing::kShell, scratch);
  ASSERT_EQ(shell.size, 1);
  EXPECT_EQ(shell.limits[0].warn_pct, (WarnThresholds{50, 0, 0, 0}));
  Policy scratch2;
  const Policy& code = rules->resolve({1, 0, Tier::kDefault}, testing::kCode, scratch2);
  ASSERT_EQ(code.size, 1);
  EXPECT_EQ(code.limits[0].warn_pct[0], kWarnFromTier);
}

TEST(RuleSetTest, ZeroWindowIsRefused) {
  EXPECT_EQ(compile_error({rule_for(kGlobal, "shell", {LimitSpec::rate(1, 0ms)})}),
            "rules[0].limits[0].window_ms: must be at least 1");
}

TEST(RuleSetTest, AmountAboveRangeIsRefused) {
  EXPECT_EQ(compile_error({rule_for(kGlobal, "shell", {LimitSpec::concurrency(1ull << 33)})}),
            "rules[0].limits[0].amount: at most 4294967295");
}

TEST(RuleSetTest, DuplicateSlotForOneSubjectIsRefused) {
  EXPECT_NE(compile_error({rule_for(kGlobal, "shell", {LimitSpec::rate(1, 1s)}),
                           rule_for(kGlobal, "shell", {LimitSpec::rate(2, 1s)})}),
            "");
}

TEST(RuleSetTest, UserRuleWithoutIdIsRefused) {
  EXPECT_EQ(compile_error({rule_for(testing::user_subject(0), "shell", {LimitSpec::rate(1, 1s)})}),
            "rules[0].subject.id: required for a user or key rule");
}

TEST(RuleSetTest, PremiumScalesGlobalRatesButNotConcurrency) {
  auto set = testing::compile_or_die(
      {rule_for(kGlobal, "shell", {LimitSpec::rate(7, 1s), LimitSpec::concurrency(2)})});
  Policy scratch;
  const Policy& policy = set->resolve({1, 0, Tier::kPremium}, testing::kShell, scratch);
  ASSERT_EQ(policy.size, 2);
  EXPECT_EQ(policy.limits[0].amount, 70u);
  EXPECT_EQ(policy.limits[1].amount, 2u);
}

}  // namespace
}  // namespace gaia::core

namespace gaia::core {
namespace {

uint32_t amount_of(const Policy& policy, LimitKind kind) {
  for (const CompiledLimit& limit : policy) {
    if (limit.kind == kind) return limit.amount;
  }
  return 0;
}

TEST(RuleSetTest, ReputationScalesRatesAndQuotasButNotConcurrency) {
  auto rules = testing::compile_or_die({testing::rule_for(
      testing::kGlobal, "shell",
      {LimitSpec::calendar(500, CalendarPeriod::kDay), LimitSpec::rate(10, std::chrono::seconds(1)),
       LimitSpec::concurrency(4)})});
  Policy scratch;
  Principal low{1, 1, Tier::kDefault, 500};
  const Policy& halved = rules->resolve(low, testing::kShell, scratch);
  EXPECT_EQ(amount_of(halved, LimitKind::kCalendar), 250u);
  EXPECT_EQ(amount_of(halved, LimitKind::kRate), 5u);
  EXPECT_EQ(amount_of(halved, LimitKind::kConcurrency), 4u);

  Principal high{1, 1, Tier::kDefault, 1200};
  EXPECT_EQ(amount_of(rules->resolve(high, testing::kShell, scratch), LimitKind::kCalendar), 600u);
  Principal full{1, 1, Tier::kDefault, kFullScale};
  EXPECT_EQ(&rules->resolve(full, testing::kShell, scratch),
            &rules->resolve(full, testing::kShell, scratch))
      << "full scale uses the precompiled policy";
  Principal tiny{1, 1, Tier::kDefault, 1};
  EXPECT_EQ(amount_of(rules->resolve(tiny, testing::kShell, scratch), LimitKind::kRate), 1u)
      << "a limit never scales down to nothing";
}

TEST(RuleSetTest, TheStatedAmountOfAScaledLimitIsTheRulesOwn) {
  auto rules = testing::compile_or_die({testing::rule_for(
      testing::kGlobal, "shell",
      {LimitSpec::calendar(500, CalendarPeriod::kDay), LimitSpec::rate(10, std::chrono::seconds(1)),
       LimitSpec::concurrency(4)})});
  for (uint16_t scale : {uint16_t{500}, uint16_t{997}, kFullScale, uint16_t{1200}}) {
    Principal p{1, 1, Tier::kDefault, scale};
    Policy scratch;
    const Policy& scaled = rules->resolve(p, testing::kShell, scratch);
    std::vector<uint32_t> stated;
    for (const CompiledLimit& limit : scaled) {
      stated.push_back(rules->stated_amount(p, testing::kShell, limit));
    }
    EXPECT_EQ(stated, (std::vector<uint32_t>{500, 10, 4})) << "scale " << scale;
  }
}

TEST(RuleSetTest, EnterpriseIsNeverScaledAboveItsOwnCeiling) {
  auto rules = testing::compile_or_die(
      {testing::rule_for(testing::tier_subject(Tier::kEnterprise), "shell",
                         {LimitSpec::calendar(100, CalendarPeriod::kDay)})});
  Policy scratch;
  Principal good{1, 1, Tier::kEnterprise, 1200};
  EXPECT_EQ(amount_of(rules->resolve(good, testing::kShell, scratch), LimitKind::kCalendar), 100u);
  Principal poor{1, 1, Tier::kEnterprise, 500};
  EXPECT_EQ(amount_of(rules->resolve(poor, testing::kShell, scratch), LimitKind::kCalendar), 50u);
}

TEST(RuleSetTest, TheLimiterRefusesAtTheScaledQuota) {
  Limiter limiter(testing::compile_or_die({testing::rule_for(
                      testing::kGlobal, "shell", {LimitSpec::calendar(4, CalendarPeriod::kDay)})}),
                  {});
  Instant now{MonoTime(std::chrono::hours(1)), WallTime(std::chrono::hours(24 * 20000))};
  Principal low{7, 7, Tier::kDefault, 500};
  EXPECT_TRUE(limiter.check({low, testing::kShell, 1}, now).allowed);
  EXPECT_TRUE(limiter.check({low, testing::kShell, 1}, now).allowed);
  Decision third = limiter.check({low, testing::kShell, 1}, now);
  EXPECT_FALSE(third.allowed);
  EXPECT_EQ(third.deciding.limit.amount, 2u);
  low.limit_scale = kFullScale;
  EXPECT_TRUE(limiter.check({low, testing::kShell, 1}, now).allowed) << "the same counters";
}

// `n` rate limits of 1 per second, per 2 s, ... (distinct slots), from `first_s` seconds on.
std::vector<LimitSpec> rates(int n, int first_s = 1) {
  std::vector<LimitSpec> out;
  for (int i = 0; i < n; ++i)
    out.push_back(LimitSpec::rate(100, std::chrono::seconds(first_s + i)));
  return out;
}

TEST(RuleSetTest, AKeyLimitThatWouldNotFitItsPolicyIsRefusedNamingIt) {
  // The default rules give shell 3 calendar limits; the user's 13 rates fill the policy.
  std::vector<Rule> rules = default_rules();
  rules.push_back(rule_for(testing::user_subject(7), "shell", rates(8)));
  rules.push_back(rule_for(testing::user_subject(7), "shell", rates(5, 9)));
  EXPECT_EQ(compile_error(rules), "");
  rules.push_back(rule_for(testing::key_subject(77), "shell", {LimitSpec::rate(1, 1min)}));
  const std::string error = compile_error(rules);
  EXPECT_EQ(error,
            "rules[7].limits: 17 limits would apply to type \"shell\" in tier default (16 for "
            "user 7, 1 more for a key), more than the 16 a policy holds");
}

TEST(RuleSetTest, AUserRuleThatWouldNotFitIsRefusedNamingIt) {
  std::vector<Rule> rules = default_rules();
  rules.push_back(rule_for(testing::user_subject(7), std::nullopt, rates(8)));
  rules.push_back(rule_for(testing::user_subject(7), "shell", rates(6, 9)));
  const std::string error = compile_error(rules);
  EXPECT_EQ(error,
            "rules[6].limits: 17 limits would apply to type \"shell\" in tier default (17 for "
            "user 7), more than the 16 a policy holds");
}

TEST(RuleSetTest, GlobalRulesThatWouldNotFitAreRefused) {
  std::vector<Rule> rules = {rule_for(kGlobal, "shell", rates(8)),
                             rule_for(kGlobal, std::nullopt, rates(8, 9)),
                             rule_for(kGlobal, std::nullopt, {LimitSpec::concurrency(3)})};
  EXPECT_NE(compile_error(rules).find("more than 16 limits on type \"shell\""), std::string::npos)
      << compile_error(rules);
}

}  // namespace
}  // namespace gaia::core
