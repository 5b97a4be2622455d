#include "core/throttle.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gaia::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ThrottleTableTest, DefaultBandsPutEachThresholdInTheBandAboveIt) {
  ThrottleTable table;
  EXPECT_DOUBLE_EQ(table.factor_of(0), 1.0);
  EXPECT_DOUBLE_EQ(table.factor_of(69.99), 1.0);
  EXPECT_DOUBLE_EQ(table.factor_of(70), 0.8);
  EXPECT_DOUBLE_EQ(table.factor_of(79.99), 0.8);
  EXPECT_DOUBLE_EQ(table.factor_of(80), 0.6);
  EXPECT_DOUBLE_EQ(table.factor_of(89.99), 0.6);
  EXPECT_DOUBLE_EQ(table.factor_of(90), 0.3);
  EXPECT_DOUBLE_EQ(table.factor_of(94.99), 0.3);
  EXPECT_DOUBLE_EQ(table.factor_of(95), 0.0);
  EXPECT_DOUBLE_EQ(table.factor_of(100), 0.0);
}

TEST(ThrottleTableTest, UnknownLoadCountsAsNoLoad) {
  EXPECT_DOUBLE_EQ(ThrottleTable().factor_of(std::nan("")), 1.0);
}

TEST(ThrottleTableTest, AcceptsACustomTable) {
  auto table = ThrottleTable::make({50, 75}, {1.0, 0.5, 0.1});
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_DOUBLE_EQ(table->factor_of(49), 1.0);
  EXPECT_DOUBLE_EQ(table->factor_of(50), 0.5);
  EXPECT_DOUBLE_EQ(table->factor_of(75), 0.1);
}

TEST(ThrottleTableTest, RejectsThresholdsNotAscending) {
  auto table = ThrottleTable::make({70, 70, 90}, {1, 0.8, 0.6, 0.3});
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(table.status().message().find("thresholds[1]"), std::string::npos)
      << table.status().message();
  EXPECT_FALSE(ThrottleTable::make({80, 70}, {1, 0.5, 0}).ok());
  EXPECT_FALSE(ThrottleTable::make({std::nan("")}, {1, 0}).ok());
}

TEST(ThrottleTableTest, RejectsFactorsOutsideZeroToOne) {
  auto above = ThrottleTable::make({70}, {1.5, 0.5});
  ASSERT_FALSE(above.ok());
  EXPECT_NE(above.status().message().find("factors[0]"), std::string::npos);
  auto below = ThrottleTable::make({70}, {1.0, -0.1});
  ASSERT_FALSE(below.ok());
  EXPECT_NE(below.status().message().find("factors[1]"), std::string::npos);
  EXPECT_FALSE(ThrottleTable::make({70}, {1.0, std::nan("")}).ok());
}

TEST(ThrottleTableTest, RejectsAFactorCountThatDoesNotMatchTheThresholds) {
  auto table = ThrottleTable::make({70, 80}, {1.0, 0.5});
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("factors"), std::string::npos);
}

TEST(ThrottleConfigTest, DefaultsAreValid) { EXPECT_TRUE(validate(ThrottleConfig{}).ok()); }

TEST(ThrottleConfigTest, RejectsNegativeOrNonFiniteFieldsByName) {
  ThrottleConfig margin;
  margin.margin_pct = -1;
  EXPECT_NE(validate(margin).message().find("margin_pct"), std::string::npos);
  margin.margin_pct = INFINITY;
  EXPECT_FALSE(validate(margin).ok());
  ThrottleConfig delay;
  delay.base_delay = milliseconds(-1);
  EXPECT_NE(validate(delay).message().find("base_delay"), std::string::npos);
  ThrottleConfig wait;
  wait.max_wait = milliseconds(-1);
  EXPECT_NE(validate(wait).message().find("max_wait"), std::string::npos);
  ThrottleConfig retry;
  retry.retry_after = seconds(-1);
  EXPECT_NE(validate(retry).message().find("retry_after"), std::string::npos);
}

TEST(LoadThrottleTest, FactorIsTheLowerOfCpuAndMemory) {
  LoadThrottle throttle(ThrottleConfig{});
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 85, .mem_pct = 10}), 0.6);
  LoadThrottle other(ThrottleConfig{});
  EXPECT_DOUBLE_EQ(other.update({.cpu_pct = 10, .mem_pct = 92}), 0.3);
  LoadThrottle both(ThrottleConfig{});
  EXPECT_DOUBLE_EQ(both.update({.cpu_pct = 75, .mem_pct = 96}), 0.0);
}

TEST(LoadThrottleTest, CpuAndMemoryMayHaveTheirOwnTables) {
  ThrottleConfig config;
  config.memory = ThrottleTable::make({50}, {1.0, 0.5}).value();
  LoadThrottle throttle(config);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 60, .mem_pct = 60}), 0.5);
}

TEST(LoadThrottleTest, StartsUnthrottled) {
  LoadThrottle throttle(ThrottleConfig{});
  EXPECT_DOUBLE_EQ(throttle.factor(), 1.0);
  EXPECT_FALSE(throttle.should_throttle());
  throttle.update({.cpu_pct = 70, .mem_pct = 0});
  EXPECT_TRUE(throttle.should_throttle());
}

TEST(LoadThrottleTest, RisesAtOnceButFallsOnlyOnceTheLoadIsAMarginBelowTheThreshold) {
  LoadThrottle throttle(ThrottleConfig{});  // margin 2 points
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 80, .mem_pct = 0}), 0.6);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 79.9, .mem_pct = 0}), 0.6);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 78.0, .mem_pct = 0}), 0.6);  // 80 - 2: stays
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 77.9, .mem_pct = 0}), 0.8);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 79.9, .mem_pct = 0}), 0.8);  // no flap back
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 80.0, .mem_pct = 0}), 0.6);
}

TEST(LoadThrottleTest, OscillatingAroundAThresholdDoesNotFlap) {
  LoadThrottle throttle(ThrottleConfig{});
  throttle.update({.cpu_pct = 90.5, .mem_pct = 0});
  for (double load : {89.5, 90.2, 88.5, 90.9, 88.1}) {
    EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = load, .mem_pct = 0}), 0.3) << load;
  }
}

TEST(LoadThrottleTest, AFallingLoadCanLeaveSeveralBandsAtOnce) {
  LoadThrottle throttle(ThrottleConfig{});
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 99, .mem_pct = 0}), 0.0);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 79, .mem_pct = 0}), 0.6);  // 79 >= 80 - 2
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 10, .mem_pct = 0}), 1.0);
}

TEST(LoadThrottleTest, HysteresisIsKeptPerResource) {
  LoadThrottle throttle(ThrottleConfig{});
  throttle.update({.cpu_pct = 70, .mem_pct = 95});
  // Memory falls to 94: still within the margin of 95, so 0.0; cpu's 0.8 is not the minimum.
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 69, .mem_pct = 94}), 0.0);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 67.9, .mem_pct = 92.9}), 0.3);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 67.9, .mem_pct = 10}), 1.0);
}

TEST(LoadThrottleTest, ZeroMarginFollowsTheTableExactly) {
  ThrottleConfig config;
  config.margin_pct = 0;
  LoadThrottle throttle(config);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 80, .mem_pct = 0}), 0.6);
  EXPECT_DOUBLE_EQ(throttle.update({.cpu_pct = 79.99, .mem_pct = 0}), 0.8);
}

TEST(BandTrackerTest, AWideMarginHoldsTheBandLonger) {
  ThrottleTable table;
  BandTracker tracker;
  EXPECT_EQ(tracker.update(table, 95, 10), 4);
  EXPECT_EQ(tracker.update(table, 85.5, 10), 4);  // 85.5 >= 95 - 10
  EXPECT_EQ(tracker.update(table, 84.9, 10), 3);  // and 84.9 >= 90 - 10
  EXPECT_EQ(tracker.update(table, 69.9, 10), 1);  // only 69.9 >= 70 - 10
  EXPECT_EQ(tracker.update(table, 59.9, 10), 0);
}

TEST(AdmissionTest, FullFactorRunsAtOnce) {
  Admission a = admission_for(ThrottleConfig{}, 1.0, Tier::kDefault);
  EXPECT_TRUE(a.immediate());
}

TEST(AdmissionTest, ReducedFactorDelaysByTheMissingShareOfTheBase) {
  ThrottleConfig config;
  EXPECT_EQ(admission_for(config, 0.8, Tier::kDefault).delay, milliseconds(200));
  EXPECT_EQ(admission_for(config, 0.6, Tier::kPremium).delay, milliseconds(400));
  EXPECT_EQ(admission_for(config, 0.3, Tier::kDefault).delay, milliseconds(700));
  config.base_delay = milliseconds(2000);
  Admission a = admission_for(config, 0.3, Tier::kDefault);
  EXPECT_EQ(a.delay, milliseconds(1400));
  EXPECT_FALSE(a.hold);
  EXPECT_FALSE(a.refuse);
}

TEST(AdmissionTest, EnterpriseIsNotDelayed) {
  Admission a = admission_for(ThrottleConfig{}, 0.3, Tier::kEnterprise);
  EXPECT_TRUE(a.immediate());
  EXPECT_DOUBLE_EQ(a.factor, 0.3);
}

TEST(AdmissionTest, EnterpriseDelayedWhenNotExempt) {
  ThrottleConfig config;
  config.enterprise_exempt = false;
  EXPECT_EQ(admission_for(config, 0.3, Tier::kEnterprise).delay, milliseconds(700));
}

TEST(AdmissionTest, ReducedFactorHoldsInQueueWhenConfigured) {
  ThrottleConfig config;
  config.slow_action = SlowAction::kHold;
  config.max_wait = milliseconds(7000);
  Admission a = admission_for(config, 0.6, Tier::kDefault);
  EXPECT_TRUE(a.hold);
  EXPECT_EQ(a.max_wait, milliseconds(7000));
  EXPECT_EQ(a.delay, milliseconds(0));
}

TEST(AdmissionTest, ZeroFactorWaitsUpToTheMaximum) {
  ThrottleConfig config;
  config.max_wait = milliseconds(12'000);
  for (Tier tier : {Tier::kDefault, Tier::kEnterprise}) {
    Admission a = admission_for(config, 0.0, tier);
    EXPECT_TRUE(a.hold);
    EXPECT_FALSE(a.refuse);
    EXPECT_EQ(a.max_wait, milliseconds(12'000));
  }
}

TEST(AdmissionTest, ZeroFactorRefusesWithRetryAfterWhenConfigured) {
  ThrottleConfig config;
  config.stop_action = StopAction::kRefuse;
  config.retry_after = seconds(9);
  Admission a = admission_for(config, 0.0, Tier::kDefault);
  EXPECT_TRUE(a.refuse);
  EXPECT_FALSE(a.hold);
  EXPECT_EQ(a.retry_after, seconds(9));
}

TEST(ThrottlePolicyTest, MapsLoadAndTierToAnAdmission) {
  ThrottlePolicy policy(ThrottleConfig{});
  Admission a = policy.admit({.cpu_pct = 85, .mem_pct = 40}, Tier::kDefault);
  EXPECT_DOUBLE_EQ(a.factor, 0.6);
  EXPECT_EQ(a.delay, milliseconds(400));
  EXPECT_TRUE(policy.should_throttle());
  EXPECT_TRUE(policy.admit({.cpu_pct = 85, .mem_pct = 40}, Tier::kEnterprise).immediate());
}

TEST(ThrottlePolicyTest, FeedingTheSameSnapshotAgainChangesNothing) {
  ThrottlePolicy policy(ThrottleConfig{});
  policy.observe({.cpu_pct = 96, .mem_pct = 0});
  for (int i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(policy.observe({.cpu_pct = 94, .mem_pct = 0}), 0.0);
  }
  EXPECT_DOUBLE_EQ(policy.observe({.cpu_pct = 92, .mem_pct = 0}), 0.3);
  EXPECT_DOUBLE_EQ(policy.factor(), 0.3);
}

}  // namespace
}  // namespace gaia::core
