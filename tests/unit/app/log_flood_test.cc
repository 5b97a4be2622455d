#include "app/log_flood.h"

#include <gtest/gtest.h>

namespace gaia::app {
namespace {

using Told = std::vector<std::pair<std::string, uint64_t>>;

TEST(FloodGuardTest, WritesUpToTheRateOfAKindInOneSecondAndCountsTheRest) {
  FloodGuard guard(3);
  int written = 0;
  for (int i = 0; i < 10; ++i) written += guard.admit("[WARN] accept failed", 100) ? 1 : 0;
  EXPECT_EQ(written, 3);
  EXPECT_EQ(guard.expired(100), Told{});  // the second is not over yet
  EXPECT_EQ(guard.expired(101), (Told{{"[WARN] accept failed", 7}}));
  EXPECT_EQ(guard.expired(102), Told{});  // told once
}

TEST(FloodGuardTest, EachKindHasItsOwnRate) {
  FloodGuard guard(1);
  EXPECT_TRUE(guard.admit("[ACCESS] 4xx", 5));
  EXPECT_FALSE(guard.admit("[ACCESS] 4xx", 5));
  EXPECT_TRUE(guard.admit("[ACCESS] 5xx", 5));
}

TEST(FloodGuardTest, ANewSecondWritesAgain) {
  FloodGuard guard(1);
  EXPECT_TRUE(guard.admit("k", 5));
  EXPECT_FALSE(guard.admit("k", 5));
  EXPECT_TRUE(guard.admit("k", 6));
  EXPECT_EQ(guard.expired(7), (Told{{"k", 1}}));
}

TEST(FloodGuardTest, DrainTellsWhatTheCurrentSecondSuppressed) {
  FloodGuard guard(1);
  guard.admit("k", 5);
  guard.admit("k", 5);
  EXPECT_EQ(guard.drain(), (Told{{"k", 1}}));
  EXPECT_EQ(guard.drain(), Told{});
}

TEST(FloodGuardTest, EndlesslyNewKindsShareOneCountPastTheBound) {
  FloodGuard guard(1);
  for (size_t i = 0; i < FloodGuard::kMaxKinds + 10; ++i) guard.admit(std::to_string(i), 5);
  const Told told = guard.drain();
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0], (std::pair<std::string, uint64_t>{"other lines", 9}));
}

TEST(LogLineKindTest, IsTheTagAndTheTextUpToTheFirstColon) {
  EXPECT_EQ(log_line_kind("WARN", "accept failed: Too many open files"), "[WARN] accept failed");
  EXPECT_EQ(log_line_kind("INFO", "no colon here"), "[INFO] no colon here");
}

}  // namespace
}  // namespace gaia::app
