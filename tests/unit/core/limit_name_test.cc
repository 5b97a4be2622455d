#include "core/limit_name.h"

#include <gtest/gtest.h>

#include "unit/core/test_rules.h"

namespace gaia::core {
namespace {

TEST(LimitNameTest, AKeysOwnLimitNeverSharesItsNameWithItsUsersLimitOfTheSameKind) {
  auto rules = testing::compile_or_die({});
  LimitState user_day;
  user_day.limit = {.kind = LimitKind::kCalendar,
                    .period = CalendarPeriod::kDay,
                    .level = SubjectKind::kUser,
                    .type = kAnyType,
                    .amount = 10};
  LimitState key_day = user_day;
  key_day.limit.level = SubjectKind::kKey;
  EXPECT_EQ(policy_name(user_day, *rules), "any-day");
  EXPECT_EQ(policy_name(key_day, *rules), "key-any-day");
}

TEST(LimitNameTest, EveryLimitOfTheRulesIsNamedAsItsPartsNameItAndAnyOtherLimitToo) {
  using namespace std::chrono_literals;
  std::vector<Rule> rules = default_rules();
  rules.push_back(testing::rule_for(testing::user_subject(7), "shell",
                                    {LimitSpec::rate(5, 90s), LimitSpec::concurrency(2)}));
  rules.push_back(
      testing::rule_for(testing::key_subject(9), std::nullopt, {LimitSpec::rate(5, 1500ms)}));
  auto set = testing::compile_or_die(rules);
  int named = 0;
  for (const Principal& principal :
       {Principal{7, 9, Tier::kDefault}, Principal{1, 2, Tier::kPremium}}) {
    for (CommandTypeId type = 0; type < set->command_types().size(); ++type) {
      Policy scratch;
      for (const CompiledLimit& limit : set->resolve(principal, type, scratch)) {
        const std::string* kept = set->policy_name_of(limit);
        ASSERT_NE(kept, nullptr);
        EXPECT_EQ(*kept, make_policy_name(limit, *set));
        ++named;
      }
    }
  }
  EXPECT_GT(named, 10);
  LimitState user_rate;
  user_rate.limit = {.kind = LimitKind::kRate,
                     .level = SubjectKind::kUser,
                     .type = testing::kShell,
                     .window_ms = 90'000};
  LimitState key_rate = user_rate;
  key_rate.limit.level = SubjectKind::kKey;
  key_rate.limit.type = kAnyType;
  key_rate.limit.window_ms = 1'500;
  EXPECT_EQ(policy_name(user_rate, *set), "shell-rate-90s");
  EXPECT_EQ(policy_name(key_rate, *set), "key-any-rate-2s");
  // A limit no rule states is named from its parts all the same.
  LimitState other = user_rate;
  other.limit.window_ms = 123'000;
  EXPECT_EQ(set->policy_name_of(other.limit), nullptr);
  std::string scratch;
  EXPECT_EQ(policy_name(other.limit, *set, scratch), "shell-rate-123s");
}

}  // namespace
}  // namespace gaia::core
