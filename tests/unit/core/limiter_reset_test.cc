// Limiter::reset_user: a user's quotas and windows start again from zero, nobody else's do,
// running commands keep their slots, and a reset racing with checks never over-admits.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/limiter.h"
#include "support/manual_clock.h"
#include "unit/core/test_rules.h"

namespace gaia::core {
namespace {

using namespace std::chrono_literals;
using testing::compile_or_die;
using testing::kCode;
using testing::key_subject;
using testing::kGlobal;
using testing::kShell;
using testing::ManualClock;
using testing::rule_for;

const Principal kAlice{1, 11, Tier::kDefault};
const Principal kBob{2, 21, Tier::kDefault};
constexpr KeyId kAliceKeys[] = {11};

class LimiterResetTest : public ::testing::Test {
 protected:
  bool check(Limiter& limiter, Principal p, CommandTypeId type = kShell) {
    Decision d = limiter.check({p, type, 1}, clock_.now());
    limiter.release(d.lease);
    return d.allowed;
  }
  int admitted(Limiter& limiter, Principal p, int attempts, CommandTypeId type = kShell) {
    int n = 0;
    for (int i = 0; i < attempts; ++i) n += check(limiter, p, type);
    return n;
  }
  ManualClock clock_;
};

TEST_F(LimiterResetTest, ResetGivesBackEveryQuotaAndWindowOfTheUser) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::calendar(3, CalendarPeriod::kDay),
                                            LimitSpec::calendar(5, CalendarPeriod::kWeek)}),
                                  rule_for(kGlobal, "code", {LimitSpec::rate(2, 1h)})}),
                  {});
  EXPECT_EQ(admitted(limiter, kAlice, 10), 3);
  EXPECT_EQ(admitted(limiter, kAlice, 10, kCode), 2);
  EXPECT_GT(limiter.reset_user(kAlice.user, kAliceKeys), 0u);
  EXPECT_EQ(admitted(limiter, kAlice, 10), 3);
  EXPECT_EQ(admitted(limiter, kAlice, 10, kCode), 2);
}

TEST_F(LimiterResetTest, ResetLeavesOtherUsersAlone) {
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::calendar(2, CalendarPeriod::kDay)})}),
      {});
  EXPECT_EQ(admitted(limiter, kAlice, 5), 2);
  EXPECT_EQ(admitted(limiter, kBob, 5), 2);
  limiter.reset_user(kAlice.user, kAliceKeys);
  EXPECT_EQ(admitted(limiter, kBob, 5), 0);
  EXPECT_EQ(admitted(limiter, kAlice, 5), 2);
}

TEST_F(LimiterResetTest, ResetClearsTheUsersKeyLimitsOnlyForItsKeys) {
  const Principal alice_other_key{1, 12, Tier::kDefault};
  Limiter limiter(compile_or_die({rule_for(key_subject(11), "shell", {LimitSpec::rate(1, 1h)}),
                                  rule_for(key_subject(12), "shell", {LimitSpec::rate(1, 1h)})}),
                  {});
  EXPECT_EQ(admitted(limiter, kAlice, 3), 1);
  EXPECT_EQ(admitted(limiter, alice_other_key, 3), 1);
  limiter.reset_user(kAlice.user, kAliceKeys);  // key 12 not named
  EXPECT_EQ(admitted(limiter, kAlice, 3), 1);
  EXPECT_EQ(admitted(limiter, alice_other_key, 3), 0);
}

TEST_F(LimiterResetTest, RunningCommandsKeepTheirSlots) {
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::concurrency(1)})}), {});
  Decision running = limiter.check({kAlice, kShell, 1}, clock_.now());
  ASSERT_TRUE(running.allowed);
  limiter.reset_user(kAlice.user, kAliceKeys);
  EXPECT_FALSE(limiter.check({kAlice, kShell, 1}, clock_.now()).allowed);
  limiter.release(running.lease);
  EXPECT_TRUE(check(limiter, kAlice));
}

TEST_F(LimiterResetTest, QuotaStatusShowsNothingUsedAfterAReset) {
  Limiter limiter(
      compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::calendar(4, CalendarPeriod::kDay)})}),
      {});
  EXPECT_EQ(admitted(limiter, kAlice, 3), 3);
  limiter.reset_user(kAlice.user, kAliceKeys);
  for (const QuotaLine& line : limiter.quota_status(kAlice, clock_.now())) {
    EXPECT_EQ(line.state.used, 0u);
    EXPECT_EQ(line.state.remaining, 4u);
  }
}

TEST_F(LimiterResetTest, ResetsRacingWithChecksNeverAdmitMoreThanTheLimitBetweenThem) {
  // Between two resets at most `limit` checks are admitted: each admission lands wholly
  // before or after a reset. Counted per epoch by the resetting thread.
  constexpr int kLimit = 50;
  Limiter limiter(compile_or_die({rule_for(kGlobal, "shell",
                                           {LimitSpec::calendar(kLimit, CalendarPeriod::kDay)})}),
                  {});
  const Instant now = clock_.now();
  std::atomic<bool> stop{false};
  std::atomic<int> admitted_total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        if (limiter.check({kAlice, kShell, 1}, now).allowed) admitted_total.fetch_add(1);
      }
    });
  }
  constexpr int kResets = 20;
  for (int i = 0; i < kResets; ++i) {
    while (admitted_total.load() < (i + 1) * kLimit) std::this_thread::yield();
    limiter.reset_user(kAlice.user, kAliceKeys);
  }
  stop = true;
  for (auto& t : threads) t.join();
  // Each of the kResets + 1 epochs admits at most kLimit.
  EXPECT_LE(admitted_total.load(), (kResets + 1) * kLimit);
  EXPECT_GE(admitted_total.load(), kResets * kLimit);
}

}  // namespace
}  // namespace gaia::core
