#include "core/reputation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/manual_clock.h"

namespace gaia::core {
namespace {

using std::chrono::hours;
using testing::ManualClock;

TEST(ReputationTest, StartsAtTheBaseline) {
  ManualClock clock;
  Reputation rep(ReputationConfig{}, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 70);
  EXPECT_DOUBLE_EQ(rep.factor(clock.wall_now()), 1);
}

TEST(ReputationTest, RestoredReputationDecaysFromItsSavedScore) {
  ManualClock clock;
  Reputation saved(ReputationConfig{}, clock.wall_now());
  saved.record(ReputationEvent::kViolation, clock.wall_now());
  Reputation rep = Reputation::restore(ReputationConfig{}, saved.score(clock.wall_now()),
                                       clock.wall_now(), saved.history());
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 60);
  ASSERT_EQ(rep.history().size(), 1u);
  clock.advance(hours(24));
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 65);
}

TEST(ReputationTest, FallsWithEachViolationAndDenial) {
  ManualClock clock;
  Reputation rep(ReputationConfig{}, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.record(ReputationEvent::kViolation, clock.wall_now()), 60);
  EXPECT_DOUBLE_EQ(rep.record(ReputationEvent::kDenied, clock.wall_now()), 55);
  EXPECT_DOUBLE_EQ(rep.record(ReputationEvent::kViolation, clock.wall_now()), 45);
  EXPECT_DOUBLE_EQ(rep.factor(clock.wall_now()), 0.5 + 0.5 * 45 / 70);
}

TEST(ReputationTest, WeightsAreConfigurable) {
  ManualClock clock;
  ReputationConfig config;
  config.violation_weight = 25;
  config.denied_weight = 1;
  config.clean_weight = 3;
  Reputation rep(config, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.record(ReputationEvent::kViolation, clock.wall_now()), 45);
  EXPECT_DOUBLE_EQ(rep.record(ReputationEvent::kDenied, clock.wall_now()), 44);
  EXPECT_DOUBLE_EQ(rep.record(ReputationEvent::kClean, clock.wall_now()), 47);
}

TEST(ReputationTest, RecoversWithCleanExecutions) {
  ManualClock clock;
  Reputation rep(ReputationConfig{}, clock.wall_now());
  rep.record(ReputationEvent::kViolation, clock.wall_now());
  for (int i = 0; i < 20; ++i) rep.record(ReputationEvent::kClean, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 70);
}

TEST(ReputationTest, DecaysHalfwayToTheBaselineEveryHalfLife) {
  ManualClock clock;
  Reputation rep(ReputationConfig{}, clock.wall_now());
  for (int i = 0; i < 4; ++i) rep.record(ReputationEvent::kViolation, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 30);
  clock.advance(hours(24));
  EXPECT_NEAR(rep.score(clock.wall_now()), 50, 1e-9);
  clock.advance(hours(24));
  EXPECT_NEAR(rep.score(clock.wall_now()), 60, 1e-9);
  clock.advance(hours(24 * 30));
  EXPECT_NEAR(rep.score(clock.wall_now()), 70, 1e-6);
}

TEST(ReputationTest, GoodScoreAlsoDecaysTowardTheBaseline) {
  ManualClock clock;
  ReputationConfig config;
  config.clean_weight = 10;
  Reputation rep(config, clock.wall_now());
  rep.record(ReputationEvent::kClean, clock.wall_now());
  rep.record(ReputationEvent::kClean, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 90);
  clock.advance(hours(12));
  EXPECT_NEAR(rep.score(clock.wall_now()), 70 + 20 / std::sqrt(2.0), 1e-9);
}

TEST(ReputationTest, EventAppliesToTheDecayedScore) {
  ManualClock clock;
  Reputation rep(ReputationConfig{}, clock.wall_now());
  rep.record(ReputationEvent::kViolation, clock.wall_now());  // 60
  clock.advance(hours(24));                                   // 65
  EXPECT_NEAR(rep.record(ReputationEvent::kViolation, clock.wall_now()), 55, 1e-9);
}

TEST(ReputationTest, HalfLifeIsConfigurable) {
  ManualClock clock;
  ReputationConfig config;
  config.half_life = hours(1);
  Reputation rep(config, clock.wall_now());
  rep.record(ReputationEvent::kViolation, clock.wall_now());
  clock.advance(hours(1));
  EXPECT_NEAR(rep.score(clock.wall_now()), 65, 1e-9);
}

TEST(ReputationTest, TimeGoingBackwardsCountsAsNoTime) {
  ManualClock clock;
  Reputation rep(ReputationConfig{}, clock.wall_now());
  rep.record(ReputationEvent::kViolation, clock.wall_now());
  clock.set_wall(clock.wall_now() - hours(5));
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 60);
}

TEST(ReputationTest, ScoreStaysWithinZeroAndHundred) {
  ManualClock clock;
  ReputationConfig config;
  config.clean_weight = 50;
  Reputation rep(config, clock.wall_now());
  for (int i = 0; i < 20; ++i) rep.record(ReputationEvent::kViolation, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 0);
  EXPECT_DOUBLE_EQ(rep.factor(clock.wall_now()), 0.5);
  for (int i = 0; i < 5; ++i) rep.record(ReputationEvent::kClean, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.score(clock.wall_now()), 100);
  EXPECT_DOUBLE_EQ(rep.factor(clock.wall_now()), 1.2);
}

TEST(ReputationTest, FactorBoundsAreConfigurable) {
  ManualClock clock;
  ReputationConfig config;
  config.baseline = 50;
  config.min_factor = 0.2;
  config.max_factor = 2.2;
  config.violation_weight = 25;
  config.clean_weight = 25;
  Reputation rep(config, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.factor(clock.wall_now()), 1);
  rep.record(ReputationEvent::kViolation, clock.wall_now());  // 25: half way down
  EXPECT_DOUBLE_EQ(rep.factor(clock.wall_now()), 0.6);
  rep.record(ReputationEvent::kClean, clock.wall_now());
  rep.record(ReputationEvent::kClean, clock.wall_now());
  rep.record(ReputationEvent::kClean, clock.wall_now());  // 100
  EXPECT_DOUBLE_EQ(rep.factor(clock.wall_now()), 2.2);
}

TEST(ReputationTest, KeepsOnlyTheLastEvents) {
  ManualClock clock;
  ReputationConfig config;
  config.max_history = 3;
  Reputation rep(config, clock.wall_now());
  rep.record(ReputationEvent::kViolation, clock.wall_now());
  clock.advance(hours(1));
  rep.record(ReputationEvent::kDenied, clock.wall_now());
  clock.advance(hours(1));
  rep.record(ReputationEvent::kClean, clock.wall_now());
  clock.advance(hours(1));
  rep.record(ReputationEvent::kClean, clock.wall_now());
  ASSERT_EQ(rep.history().size(), 3u);
  EXPECT_EQ(rep.history().front().event, ReputationEvent::kDenied);
  EXPECT_EQ(rep.history().back().at, clock.wall_now());
  EXPECT_DOUBLE_EQ(rep.history().back().score_after, rep.score(clock.wall_now()));
}

TEST(ReputationTest, RefusesInvalidConfigurationNamingTheField) {
  ManualClock clock;
  auto with = [&](auto change) {
    ReputationConfig c;
    change(c);
    auto r = Reputation::make(c, clock.wall_now());
    EXPECT_FALSE(r.ok());
    return r.status().message();
  };
  EXPECT_THAT(with([](auto& c) { c.baseline = 101; }), ::testing::StartsWith("baseline:"));
  EXPECT_THAT(with([](auto& c) { c.violation_weight = -1; }),
              ::testing::StartsWith("violation_weight:"));
  EXPECT_THAT(with([](auto& c) { c.denied_weight = NAN; }),
              ::testing::StartsWith("denied_weight:"));
  EXPECT_THAT(with([](auto& c) { c.clean_weight = -0.1; }), ::testing::StartsWith("clean_weight:"));
  EXPECT_THAT(with([](auto& c) { c.half_life = hours(0); }), ::testing::StartsWith("half_life:"));
  EXPECT_THAT(with([](auto& c) { c.min_factor = -1; }), ::testing::StartsWith("min_factor:"));
  EXPECT_THAT(with([](auto& c) { c.max_factor = 0.9; }), ::testing::StartsWith("max_factor:"));
  EXPECT_THAT(with([](auto& c) { c.min_factor = 1.1; }), ::testing::StartsWith("min_factor:"));
  EXPECT_THAT(with([](auto& c) { c.max_history = 0; }), ::testing::StartsWith("max_history:"));
  EXPECT_TRUE(Reputation::make(ReputationConfig{}, clock.wall_now()).ok());
}

}  // namespace
}  // namespace gaia::core
