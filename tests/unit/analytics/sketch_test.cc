// The sketch's relative error bound, its merging and its text form.

#include "analytics/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace gaia::analytics {
namespace {

// The true value of the rank the sketch promises to estimate.
double exact_quantile(std::vector<int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  return static_cast<double>(
      values[static_cast<size_t>(std::floor(q * static_cast<double>(values.size() - 1)))]);
}

void expect_within_bound(const Sketch& sketch, const std::vector<int64_t>& values) {
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0}) {
    const double exact = exact_quantile(values, q);
    const double estimate = sketch.quantile(q);
    EXPECT_LE(std::abs(estimate - exact), Sketch::kRelativeError * exact + 1e-9)
        << "q=" << q << " exact=" << exact << " estimate=" << estimate;
  }
}

TEST(SketchTest, QuantilesAreWithinTheRelativeErrorBound) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(6.0, 2.0);  // ms to hours, heavy tailed
  std::vector<int64_t> values;
  Sketch sketch;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<int64_t>(dist(rng)) + 1;
    values.push_back(v);
    sketch.add(v);
  }
  EXPECT_EQ(sketch.count(), values.size());
  expect_within_bound(sketch, values);
}

TEST(SketchTest, MergedSketchesKeepTheBoundOfTheUnion) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> small(1, 100);
  std::uniform_int_distribution<int64_t> large(1'000'000, 4'000'000'000);
  std::vector<int64_t> values;
  Sketch a, b, c;
  for (int i = 0; i < 20'000; ++i) {
    const int64_t x = small(rng), y = large(rng);
    a.add(x);
    b.add(y);
    values.push_back(x);
    values.push_back(y);
  }
  c.add(0);  // zeros count exactly
  values.push_back(0);
  Sketch merged;
  merged.merge(b);  // the larger values first: the window grows downwards on the next merge
  merged.merge(a);
  merged.merge(c);
  EXPECT_EQ(merged.count(), values.size());
  expect_within_bound(merged, values);
}

TEST(SketchTest, SmallIntegersComeBackExactlyWhenRounded) {
  Sketch s;
  for (int64_t v = 1; v <= 40; ++v) s.add(v);
  EXPECT_EQ(std::llround(s.quantile(0.0)), 1);
  EXPECT_EQ(std::llround(s.quantile(0.5)), 20);  // rank floor(0.5 * 39) = 19: the value 20
  EXPECT_EQ(std::llround(s.quantile(1.0)), 40);
}

TEST(SketchTest, AnEmptySketchAnswersZero) {
  Sketch s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.quantile(0.95), 0);
  EXPECT_EQ(s.encode(), "");
}

TEST(SketchTest, TextFormRoundTrips) {
  Sketch s;
  for (int64_t v : {0, 0, 5, 17, 17, 900, 123'456'789}) s.add(v);
  auto back = Sketch::decode(s.encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->count(), s.count());
  EXPECT_EQ(back->encode(), s.encode());
  for (double q : {0.0, 0.3, 0.5, 0.95, 1.0}) EXPECT_EQ(back->quantile(q), s.quantile(q));
}

TEST(SketchTest, DecodingRefusesWhatEncodeCannotWrite) {
  EXPECT_FALSE(Sketch::decode("garbage").has_value());
  EXPECT_FALSE(Sketch::decode("1;2").has_value());
  EXPECT_FALSE(Sketch::decode("1;x;3").has_value());
  EXPECT_FALSE(Sketch::decode("1;2;3,-4").has_value());
  EXPECT_TRUE(Sketch::decode("").has_value());
}

}  // namespace
}  // namespace gaia::analytics
