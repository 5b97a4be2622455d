#include "core/limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "support/manual_clock.h"
#include "unit/core/test_rules.h"

namespace gaia::core {
namespace {

using namespace std::chrono_literals;
using testing::compile_or_die;
using testing::kCode;
using testing::kGlobal;
using testing::kShell;
using testing::ManualClock;
using testing::rule_for;

const Principal kAlice{1, 11, Tier::kDefault};

class LimiterTest : public ::testing::Test {
 protected:
  Decision check(Limiter& limiter, Principal p = kAlice, CommandTypeId type = kShell,
                 uint32_t cost = 1) {
    return limiter.check({p, type, cost}, clock_.now());
  }
  int admitted(Limiter& limiter, int attempts, Principal p = kAlice) {
    int n = 0;
    for (int i = 0; i < attempts; ++i) n += check(limiter, p).allowed;
    return n;
  }
  ManualClock clock_;
};

TEST_F(LimiterTest, RateRefusesAtLimitUntilWindowPasses) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(2, 1s)})}), {});
  EXPECT_TRUE(check(limiter).allowed);
  EXPECT_TRUE(check(limiter).allowed);
  Decision refused = check(limiter);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.deciding.limit.amount, 2u);
  EXPECT_EQ(refused.deciding.remaining, 0u);
  EXPECT_GT(refused.deciding.retry_after_ms, 0);
  EXPECT_LE(refused.deciding.retry_after_ms, 1000 + 1000 / 7 + 1);
  clock_.advance(std::chrono::milliseconds(refused.deciding.retry_after_ms));
  EXPECT_TRUE(check(limiter).allowed);
}

TEST_F(LimiterTest, RateNeverAdmitsMoreThanLimitInAnyWindow) {
  // Requests every 10 ms for 5 s against 10/s: every 1 s span holds at most 10 admissions.
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(10, 1s)})}), {});
  std::vector<int64_t> admitted_at;
  for (int i = 0; i < 500; ++i) {
    if (check(limiter).allowed) admitted_at.push_back(i * 10);
    clock_.advance(10ms);
  }
  for (size_t i = 0; i + 10 < admitted_at.size(); ++i) {
    EXPECT_GE(admitted_at[i + 10] - admitted_at[i], 1000) << "at " << admitted_at[i];
  }
  // And it does not starve: at least 10 per (1 + 1/7) s.
  EXPECT_GE(admitted_at.size(), 40u);
}

TEST_F(LimiterTest, RateCountsAcrossSecondBoundary) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(3, 1s)})}), {});
  clock_.advance(990ms);  // just before a second boundary
  EXPECT_EQ(admitted(limiter, 3), 3);
  clock_.advance(20ms);  // just after it: the same requests are still within the last second
  EXPECT_FALSE(check(limiter).allowed);
}

TEST_F(LimiterTest, CalendarQuotaResetsAtLocalMidnight) {
  auto berlin = Calendar::in_zone("Europe/Berlin");
  ASSERT_TRUE(berlin.ok());
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::calendar(2, CalendarPeriod::kDay)})},
                     berlin.value()),
      {});
  clock_.advance(22h + 59min);  // 23:59 Berlin time
  EXPECT_EQ(admitted(limiter, 3), 2);
  Decision refused = check(limiter);
  EXPECT_EQ(refused.deciding.retry_after_ms, 60'000);
  clock_.advance(1min);  // midnight in Berlin, 23:00 UTC
  EXPECT_TRUE(check(limiter).allowed);
}

TEST_F(LimiterTest, WeeklyQuotaResetsOnMonday) {
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::calendar(1, CalendarPeriod::kWeek)})}),
      {});
  EXPECT_TRUE(check(limiter).allowed);  // Monday
  clock_.advance(6 * 24h + 23h);        // Sunday 23:00
  EXPECT_FALSE(check(limiter).allowed);
  clock_.advance(1h);  // Monday
  EXPECT_TRUE(check(limiter).allowed);
}

TEST_F(LimiterTest, MonthlyQuotaResetsOnTheFirstAfterLeapDay) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::calendar(1, CalendarPeriod::kMonth)})}),
                  {});
  clock_.set_wall(WallTime(std::chrono::seconds(1835395200)));  // 2028-02-29 00:00 UTC
  EXPECT_TRUE(check(limiter).allowed);
  clock_.advance(23h + 59min);
  EXPECT_FALSE(check(limiter).allowed);
  clock_.advance(1min);  // 2028-03-01
  EXPECT_TRUE(check(limiter).allowed);
}

TEST_F(LimiterTest, DefaultRulesEnforceTheDailyTable) {
  Limiter limiter(compile_or_die(default_rules()), {});
  EXPECT_EQ(admitted(limiter, 600), 500);
  Decision d = check(limiter);
  EXPECT_EQ(d.deciding.limit.period, CalendarPeriod::kDay);
  EXPECT_TRUE(check(limiter, kAlice, kCode).allowed);  // other types count apart
}

TEST_F(LimiterTest, PremiumGetsTenTimesAndEnterpriseIsUnlimited) {
  Limiter limiter(compile_or_die(default_rules()), {});
  Principal premium{2, 0, Tier::kPremium};
  EXPECT_EQ(admitted(limiter, 5100, premium), 5000);
  Principal enterprise{3, 0, Tier::kEnterprise};
  EXPECT_EQ(admitted(limiter, 12000, enterprise), 12000);
  EXPECT_TRUE(check(limiter, enterprise).priority);
}

TEST_F(LimiterTest, ResolutionPrefersUserThenTierThenGlobalAndAKeyOnlyNarrows) {
  auto daily = [](uint64_t n) { return LimitSpec::calendar(n, CalendarPeriod::kDay); };
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell", {daily(5)}),
                      rule_for(testing::tier_subject(Tier::kPremium), "shell", {daily(4)}),
                      rule_for(testing::user_subject(7), "shell", {daily(3)}),
                      rule_for(testing::key_subject(77), "shell", {daily(2)}),
                      rule_for(testing::key_subject(78), "shell", {daily(10)})}),
      {});
  EXPECT_EQ(admitted(limiter, 10, {1, 1, Tier::kDefault}), 5);
  EXPECT_EQ(admitted(limiter, 10, {2, 2, Tier::kPremium}), 4);
  EXPECT_EQ(admitted(limiter, 10, {7, 70, Tier::kPremium}), 3);
  EXPECT_EQ(admitted(limiter, 10, {8, 77, Tier::kPremium}), 2);
  // A key's larger limit does not lift its user's.
  EXPECT_EQ(admitted(limiter, 10, {9, 78, Tier::kPremium}), 4);
}

TEST_F(LimiterTest, AKeysUseCountsAgainstItsUsersQuotaAsWellAsItsOwn) {
  auto daily = [](uint64_t n) { return LimitSpec::calendar(n, CalendarPeriod::kDay); };
  Limiter limiter(compile_or_die({rule_for(testing::user_subject(7), "shell", {daily(3)}),
                                  rule_for(testing::key_subject(71), "shell", {daily(2)}),
                                  rule_for(testing::key_subject(72), "shell", {daily(2)})}),
                  {});
  EXPECT_EQ(admitted(limiter, 10, {7, 71, Tier::kDefault}), 2);  // the key's own limit
  EXPECT_EQ(admitted(limiter, 10, {7, 72, Tier::kDefault}), 1);  // what is left of the user's
  EXPECT_EQ(admitted(limiter, 10, {7, 0, Tier::kDefault}), 0);
}

TEST_F(LimiterTest, OverrideReplacesOnlyItsOwnSlot) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::calendar(100, CalendarPeriod::kDay),
                                            LimitSpec::rate(3, 1min)}),
                                  rule_for(testing::user_subject(1), "shell",
                                           {LimitSpec::calendar(1000, CalendarPeriod::kDay)})}),
                  {});
  EXPECT_EQ(admitted(limiter, 10), 3);  // the global per-minute rate still applies
}

TEST_F(LimiterTest, ShadowRuleReportsButNeverRefuses) {
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(2, 1s)}, Enforcement::kShadow)}),
      {});
  EXPECT_EQ(check(limiter).shadow_refusals, 0);
  EXPECT_EQ(check(limiter).shadow_refusals, 0);
  Decision d = check(limiter);
  EXPECT_TRUE(d.allowed);
  ASSERT_EQ(d.shadow_refusals, 1);
  EXPECT_EQ(d.shadow[0].limit.amount, 2u);
  EXPECT_FALSE(d.has_deciding);
}

TEST_F(LimiterTest, CostConsumesSeveralUnits) {
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::calendar(10, CalendarPeriod::kDay)})}),
      {});
  Decision d = check(limiter, kAlice, kShell, 7);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.deciding.remaining, 3u);
  EXPECT_FALSE(check(limiter, kAlice, kShell, 4).allowed);
  EXPECT_TRUE(check(limiter, kAlice, kShell, 3).allowed);
}

TEST_F(LimiterTest, CostAboveLimitNeverFits) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1s)})}), {});
  Decision d = check(limiter, kAlice, kShell, 6);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.deciding.retry_after_ms, -1);
}

TEST_F(LimiterTest, RefusalConsumesNothing) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::calendar(10, CalendarPeriod::kDay),
                                            LimitSpec::rate(1, 1min), LimitSpec::concurrency(5)})}),
                  {});
  EXPECT_TRUE(check(limiter).allowed);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(check(limiter).allowed);  // the rate refuses
  std::vector<QuotaLine> lines = limiter.quota_status(kAlice, clock_.now());
  ASSERT_EQ(lines.size(), 3u);
  for (const QuotaLine& line : lines) EXPECT_EQ(line.state.used, 1u);
}

TEST_F(LimiterTest, ConcurrencySlotIsFreedByRelease) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, std::nullopt, {LimitSpec::concurrency(1)})}),
                  {});
  Decision first = check(limiter);
  ASSERT_TRUE(first.allowed);
  EXPECT_FALSE(check(limiter, kAlice, kCode).allowed);  // any-type limit spans types
  limiter.release(first.lease);
  EXPECT_TRUE(check(limiter, kAlice, kCode).allowed);
}

TEST_F(LimiterTest, QuotaStatusListsEveryApplicableLimit) {
  Limiter limiter(compile_or_die(default_rules()), {});
  check(limiter);
  std::vector<QuotaLine> lines = limiter.quota_status(kAlice, clock_.now());
  ASSERT_EQ(lines.size(), 15u);  // 5 types x day, week, month
  EXPECT_EQ(lines[0].type, kShell);
  EXPECT_EQ(lines[0].state.used, 1u);
  EXPECT_EQ(lines[0].state.remaining, 499u);
  EXPECT_EQ(lines[0].state.reset_ms, 24 * 3600 * 1000);
}

TEST_F(LimiterTest, RuleChangeAppliesToNextCheckAndKeepsUsage) {
  auto daily = [](uint64_t n) {
    return compile_or_die(
        {rule_for(kGlobal, "shell", {LimitSpec::calendar(n, CalendarPeriod::kDay)})});
  };
  Limiter limiter(daily(2), {});
  EXPECT_EQ(admitted(limiter, 5), 2);
  limiter.set_rules(daily(4));
  EXPECT_EQ(admitted(limiter, 5), 2);
}

// rules() is held per thread: each thread sees the rules set last, each limiter its own, and
// rules a thread holds stay whole after they are replaced.
TEST_F(LimiterTest, RulesAreTheLastSetOnEveryThreadAndEachLimitersOwn) {
  auto daily = [](uint64_t n) {
    return compile_or_die(
        {rule_for(kGlobal, "shell", {LimitSpec::calendar(n, CalendarPeriod::kDay)})});
  };
  std::shared_ptr<const RuleSet> two = daily(2);
  std::shared_ptr<const RuleSet> four = daily(4);
  Limiter first(two, {});
  Limiter second(four, {});
  EXPECT_EQ(first.rules().get(), two.get());
  EXPECT_EQ(second.rules().get(), four.get());
  std::shared_ptr<const RuleSet> held = first.rules();

  std::shared_ptr<const RuleSet> six = daily(6);
  first.set_rules(six);
  EXPECT_EQ(first.rules().get(), six.get());
  EXPECT_EQ(second.rules().get(), four.get());
  std::thread([&] {
    EXPECT_EQ(first.rules().get(), six.get());
    first.set_rules(four);
    EXPECT_EQ(first.rules().get(), four.get());
  }).join();
  EXPECT_EQ(first.rules().get(), four.get());

  // The replaced rules live while anyone holds them.
  two.reset();
  EXPECT_EQ(held->command_types()[kShell].name, "shell");
}

TEST_F(LimiterTest, SeveralWindowsOfOneTypeEachHoldTheirOwnCount) {
  // Two windows cannot share one counter block: the second lives in a block of its own.
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::rate(3, 1s), LimitSpec::rate(5, 1min)})}),
                  {});
  EXPECT_EQ(admitted(limiter, 10), 3);
  clock_.advance(2s);
  EXPECT_EQ(admitted(limiter, 10), 2);  // the minute window is full at 5
  Decision refused = check(limiter);
  EXPECT_EQ(refused.deciding.limit.window_ms, 60'000);
}

TEST_F(LimiterTest, WindowKeepsItsUsageWhenTheSharedBlockIsSwept) {
  // The minute window sits in its own block; the shared block holds only the 1 s window,
  // which the sweep drops once idle.
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::rate(3, 1s), LimitSpec::rate(5, 1min)})}),
                  {});
  EXPECT_EQ(admitted(limiter, 3), 3);
  clock_.advance(2s);
  for (int i = 0; i < Limiter::kShards; ++i) limiter.sweep(clock_.now());
  // Now the minute window comes first and finds the shared block free: it must not take it.
  limiter.set_rules(compile_or_die(
      {rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1min), LimitSpec::rate(3, 1s)})}));
  EXPECT_EQ(admitted(limiter, 10), 2);
}

TEST_F(LimiterTest, RestoredUsageCountsOnlyInPeriodsThatContainIt) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::calendar(500, CalendarPeriod::kDay),
                                            LimitSpec::calendar(600, CalendarPeriod::kWeek)})}),
                  {});
  clock_.advance(36h);  // Tuesday noon
  const int64_t now_ms = to_ms(clock_.now().wall);
  limiter.restore({kAlice, kShell, 499}, now_ms - 3'600'000, clock_.now());       // today
  limiter.restore({kAlice, kShell, 100}, now_ms - 86'400'000, clock_.now());      // yesterday
  limiter.restore({kAlice, kShell, 900}, now_ms - 8 * 86'400'000, clock_.now());  // last week
  Decision d = check(limiter);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.deciding.remaining, 0u);  // the day: 499 + 1 of 500
  EXPECT_FALSE(check(limiter).allowed);
  clock_.advance(24h);  // Wednesday: the week holds 499 + 100 + 1
  EXPECT_EQ(admitted(limiter, 10), 0);
}

TEST_F(LimiterTest, RestoredUsageFillsTheRateWindowsThatStillCoverIt) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::rate(3, 1h), LimitSpec::rate(100, 1min)})}),
                  {});
  const int64_t now_ms = to_ms(clock_.now().wall);
  limiter.restore({kAlice, kShell, 2}, now_ms - 10 * 60'000, clock_.now());    // 10 min ago
  limiter.restore({kAlice, kShell, 5}, now_ms - 2 * 3'600'000, clock_.now());  // out of both
  EXPECT_EQ(admitted(limiter, 10), 1);  // 2 + 1 of 3 in the hour
  clock_.advance(50min);                // the hour still holds 2 + 1
  EXPECT_EQ(admitted(limiter, 10), 0);
  clock_.advance(9min);                 // past the restored bucket (1/7 h wide)
  EXPECT_EQ(admitted(limiter, 10), 2);  // the hour still holds the first check
}

TEST_F(LimiterTest, RestoredUsageBeforeTheMonotonicClocksZeroStillCounts) {
  // The server started soon after boot: the usage is older than the monotonic clock.
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(2, 24h)})}), {});
  const int64_t now_ms = to_ms(clock_.now().wall);
  limiter.restore({kAlice, kShell, 2}, now_ms - 5 * 3'600'000, clock_.now());
  EXPECT_EQ(admitted(limiter, 10), 0);
}

TEST_F(LimiterTest, RestoredUsageStopsAtTheLargestCountInsteadOfWrapping) {
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell",
                               {LimitSpec::calendar(4'000'000'000, CalendarPeriod::kDay),
                                LimitSpec::rate(4'000'000'000, 1h)})}),
      {});
  const int64_t now_ms = to_ms(clock_.now().wall);
  // 2 x 3e9 would wrap to 1.7e9, under the limits.
  for (int i = 0; i < 2; ++i)
    limiter.restore({kAlice, kShell, 3'000'000'000u}, now_ms, clock_.now());
  EXPECT_EQ(admitted(limiter, 3), 0);
}

TEST_F(LimiterTest, SweepDropsIdleCountersOnly) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1s)})}), {});
  for (uint64_t u = 1; u <= 100; ++u) check(limiter, {u, 0, Tier::kDefault});
  EXPECT_EQ(limiter.counter_count(clock_.now()), 100u);
  auto sweep_all = [&] {
    size_t dropped = 0;
    for (int i = 0; i < Limiter::kShards; ++i) dropped += limiter.sweep(clock_.now());
    return dropped;
  };
  EXPECT_EQ(sweep_all(), 0u);
  EXPECT_EQ(limiter.counter_count(clock_.now()), 100u);
  clock_.advance(2s);
  EXPECT_EQ(sweep_all(), 100u);
  EXPECT_EQ(limiter.counter_count(clock_.now()), 0u);
}

// Quota warnings weigh every calendar quota an admission counted in: the limiter lists each
// one at or past its lowest threshold (its rule's, else the tier's), whichever limit decides.
TEST_F(LimiterTest, AnAdmissionListsTheCalendarQuotasPastTheirLowestWarningThreshold) {
  Rule month = rule_for(kGlobal, "shell", {LimitSpec::calendar(10, CalendarPeriod::kMonth)});
  month.warn_at_pct = std::vector<uint8_t>{20};
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::calendar(4, CalendarPeriod::kDay),
                                            LimitSpec::concurrency(1)}),
                                  month}),
                  {});
  auto listed = [&](Principal p) {
    Decision d = check(limiter, p);
    limiter.release(d.lease);
    std::vector<std::string> out;
    for (int i = 0; i < d.calendar_count; ++i) {
      out.push_back(std::string(period_name(d.calendar[i].limit.period)) + " " +
                    std::to_string(d.calendar[i].used));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(listed(kAlice), std::vector<std::string>{});
  EXPECT_EQ(listed(kAlice), std::vector<std::string>{"month 2"});  // 20 %: the rule's own
  EXPECT_EQ(listed(kAlice), std::vector<std::string>{"month 3"});
  EXPECT_EQ(listed(kAlice), (std::vector<std::string>{"day 4", "month 4"}));  // 80 %: the tier's

  // A tier without thresholds: only the rule's own still count.
  limiter.set_warn_from({0, 0, 0});
  const Principal bob{2, 21, Tier::kDefault};
  for (int i = 0; i < 3; ++i) listed(bob);
  EXPECT_EQ(listed(bob), std::vector<std::string>{"month 4"});
}

TEST_F(LimiterTest, SweptBlocksAreReusedByNewPrincipals) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1s)})}), {});
  uint64_t user = 1;
  auto churn = [&] {
    for (int i = 0; i < 2000; ++i, ++user)
      ASSERT_TRUE(check(limiter, {user, 0, Tier::kDefault}).allowed);
    clock_.advance(2s);
    for (int s = 0; s < Limiter::kShards; ++s) limiter.sweep(clock_.now());
  };
  churn();
  const size_t bytes = limiter.memory_bytes();
  for (int round = 0; round < 5; ++round) churn();
  EXPECT_EQ(limiter.counter_count(clock_.now()), 0u);
  EXPECT_EQ(limiter.memory_bytes(), bytes);
}

TEST_F(LimiterTest, FullTableRefusesNewCountersInsteadOfForgettingUsage) {
  LimiterOptions options;
  options.max_blocks = Limiter::kShards;  // one block per shard
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1s)})}), options);
  int admitted_users = 0;
  for (uint64_t u = 1; u <= 1000; ++u)
    admitted_users += check(limiter, {u, 0, Tier::kDefault}).allowed;
  EXPECT_LE(admitted_users, Limiter::kShards);
  EXPECT_LE(limiter.counter_count(clock_.now()), static_cast<size_t>(Limiter::kShards));
}

TEST_F(LimiterTest, AdmittedUsageSurvivesARehashAfterSweeps) {
  // Each first check inserts two blocks (shell, then any type). After erasures the flat table
  // may rehash at the same bucket count, moving the first block while the check holds it.
  Limiter limiter(
      compile_or_die(
          {rule_for(kGlobal, "shell", {LimitSpec::calendar(9, CalendarPeriod::kDay)}),
           rule_for(kGlobal, std::nullopt, {LimitSpec::calendar(9, CalendarPeriod::kDay)})}),
      {});
  uint64_t user = 1;
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < 3000; ++i, ++user) {
      const Principal p{user, user, Tier::kDefault};
      ASSERT_TRUE(check(limiter, p).allowed);
      for (const QuotaLine& line : limiter.quota_status(p, clock_.now())) {
        if (line.type == kShell) {
          ASSERT_EQ(line.state.used, 1u) << "user " << user;
        }
      }
    }
    clock_.advance(25h);  // every counter idle: the sweeps erase them all
    for (int s = 0; s < Limiter::kShards; ++s) limiter.sweep(clock_.now());
  }
}

}  // namespace
}  // namespace gaia::core
