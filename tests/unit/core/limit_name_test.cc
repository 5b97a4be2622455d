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

}  // namespace
}  // namespace gaia::core
