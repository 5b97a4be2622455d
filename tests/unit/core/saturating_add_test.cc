// saturating_add stops at the bounds of its type instead of wrapping.

#include "core/saturating_add.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace gaia::core {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(SaturatingAddTest, AddsExactlyWithinRange) {
  EXPECT_EQ(saturating_add<int64_t>(40, 2), 42);
  EXPECT_EQ(saturating_add<int64_t>(kMax - 1, 1), kMax);
  EXPECT_EQ(saturating_add<int64_t>(-5, 3), -2);
}

TEST(SaturatingAddTest, TwoMaximaStayAtTheMaximumNotNegative) {
  EXPECT_EQ(saturating_add(kMax, kMax), kMax);
  EXPECT_EQ(saturating_add(kMin, int64_t{-1}), kMin);
  EXPECT_EQ(saturating_add(std::numeric_limits<uint64_t>::max(), uint64_t{1}),
            std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace gaia::core
