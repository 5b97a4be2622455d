#include "core/rule_set.h"

#include <gtest/gtest.h>

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
