// The sketch's relative error bound, its merging, and its encodings: the binary form it
// writes and the text form of earlier versions it still reads, malformed bytes refused.

#include "analytics/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "analytics/encoded_sketch.h"
#include "legacy_sketch.h"

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

void expect_same(const Sketch& a, const Sketch& b) {
  EXPECT_EQ(a.count(), b.count());
  for (double q : {0.0, 0.01, 0.3, 0.5, 0.95, 0.99, 1.0}) EXPECT_EQ(a.quantile(q), b.quantile(q));
}

std::vector<int64_t> lognormal_values(uint64_t seed, int n, double mu) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(mu, 1.5);
  std::vector<int64_t> values;
  for (int i = 0; i < n; ++i) values.push_back(static_cast<int64_t>(dist(rng)));  // zeros too
  return values;
}

Sketch sketch_of(const std::vector<int64_t>& values) {
  Sketch s;
  for (int64_t v : values) s.add(v);
  return s;
}

TEST(SketchTest, BinaryFormRoundTrips) {
  Sketch s;
  for (int64_t v : {0, 0, 5, 17, 17, 900, 123'456'789}) s.add(v);
  const std::string bytes = s.encode();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.front(), '\x01');  // the text form starts with a digit
  auto back = Sketch::decode(bytes);
  ASSERT_TRUE(back.has_value());
  expect_same(*back, s);
  EXPECT_EQ(back->encode(), bytes);
}

TEST(SketchTest, ZerosAloneRoundTrip) {
  Sketch s;
  s.add(0);
  s.add(-3);
  auto back = Sketch::decode(s.encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->count(), 2u);
  EXPECT_EQ(back->quantile(1.0), 0);
}

TEST(SketchTest, TheExtremeValuesRoundTrip) {
  Sketch s;
  s.add(1);
  s.add(std::numeric_limits<int64_t>::max());
  auto encoded = EncodedSketch::parse(s.encode());
  ASSERT_TRUE(encoded.has_value());
  EXPECT_EQ(encoded->lowest(), EncodedSketch::kMinIndex);
  EXPECT_EQ(encoded->highest(), EncodedSketch::kMaxIndex);
  auto back = Sketch::decode(s.encode());
  ASSERT_TRUE(back.has_value());
  expect_same(*back, s);
}

TEST(SketchTest, AHugeStoredZeroCountStillAnswers) {
  using namespace std::string_literals;
  // 2^64 - 1 zeros: n - 1 as a double rounds up to 2^64, past uint64_t.
  auto s = Sketch::decode("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->quantile(1.0), 0);
}

TEST(SketchTest, BinaryFormIsSmallerThanTheTextForm) {
  const std::vector<int64_t> values = lognormal_values(3, 100, 5.0);
  EXPECT_LT(sketch_of(values).encode().size(), legacy_text(values).size());
}

TEST(SketchTest, TextFormOfEarlierVersionsStillDecodes) {
  const std::vector<int64_t> values = lognormal_values(5, 5'000, 6.0);
  auto back = Sketch::decode(legacy_text(values));
  ASSERT_TRUE(back.has_value());
  expect_same(*back, sketch_of(values));
  EXPECT_EQ(back->encode(), sketch_of(values).encode());
  auto literal = Sketch::decode("2;10;1,,3");  // zero buckets written as nothing
  ASSERT_TRUE(literal.has_value());
  EXPECT_EQ(literal->count(), 6u);
  EXPECT_EQ(literal->quantile(0.0), 0);
  EXPECT_EQ(literal->quantile(1.0), Sketch::decode("0;12;1")->quantile(1.0));
}

TEST(SketchTest, MergingEncodedBytesEqualsDecodingThenMerging) {
  const Sketch low = sketch_of(lognormal_values(11, 2'000, 2.0));
  const std::vector<int64_t> high_values = lognormal_values(12, 2'000, 12.0);
  const Sketch high = sketch_of(high_values);
  for (const std::string& bytes : {high.encode(), legacy_text(high_values)}) {
    Sketch decoded = low, direct = low;
    decoded.merge(*Sketch::decode(bytes));
    ASSERT_TRUE(direct.merge_encoded(bytes));
    expect_same(direct, decoded);
    EXPECT_EQ(direct.encode(), decoded.encode());
  }
  // Into an empty sketch, and below an existing window: both edges of the window grow.
  Sketch empty, above = high;
  ASSERT_TRUE(empty.merge_encoded(low.encode()));
  expect_same(empty, low);
  ASSERT_TRUE(above.merge_encoded(low.encode()));
  Sketch expected = high;
  expected.merge(low);
  expect_same(above, expected);
}

// `head` followed by `n` one-byte varints `fill`.
std::string repeated(std::string head, size_t n, char fill) {
  head.append(n, fill);
  return head;
}

TEST(SketchTest, MalformedBytesAreRefusedAndLeaveTheSketchUnchanged) {
  using namespace std::string_literals;
  const std::vector<std::string> malformed = {
      "\x01"s,                                          // no zero count
      "\x01\x80"s,                                      // a varint cut short
      "\x01\x00\x05"s,                                  // a bucket without its count
      "\x01\x00\x05\x00"s,                              // a count of 0
      "\x01\x00\x05\x01\x03"s,                          // a gap without its count
      "\x01\x00\x05\x01\x03\x00"s,                      // a count of 0 after a gap
      "\x01\x00\x89\x11\x01"s,                          // bucket 2185: no int64 value falls there
      "\x01\x00\x88\x11\x01\x00\x01"s,                  // a bucket after kMaxIndex
      "\x01\x00\x05\x01\xff\xff\x03\x01"s,              // a gap past kMaxIndex
      "\x01\x00\x05\x80\x80\x80\x80\x10"s,              // a count above 2^32 - 1
      "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"s,  // a varint above 2^64 - 1
      "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s,  // eleven bytes
      repeated("\x01\x00\x00\x01"s, 100'000, '\x01'),       // 50,000 buckets and more
      "\x02\x00"s,                                          // an unknown form
      "garbage",
      "1;2",
      "1;x;3",
      "1;2;3,-4",
      "1;2;3,+4",
      "1;2;4294967296",                 // a counter above 2^32 - 1
      "0;-1;1",                         // bucket -1: values below 1 count as zero
      "0;2184;1,1",                     // bucket 2185
      "0;2147483647;,1",                // past the int32 range
      repeated("0;0;1", 100'000, ','),  // far more buckets than exist
  };
  Sketch s = sketch_of({3, 70, 70, 9'000});
  const std::string before = s.encode();
  for (const std::string& bytes : malformed) {
    EXPECT_FALSE(Sketch::decode(bytes).has_value()) << testing::PrintToString(bytes);
    EXPECT_FALSE(EncodedSketch::parse(bytes).has_value()) << testing::PrintToString(bytes);
    EXPECT_FALSE(s.merge_encoded(bytes)) << testing::PrintToString(bytes);
    EXPECT_EQ(s.encode(), before) << testing::PrintToString(bytes);
  }
  EXPECT_TRUE(Sketch::decode("").has_value());
  EXPECT_TRUE(Sketch::decode("0;5;").has_value());  // the text form of zeros alone
}

}  // namespace
}  // namespace gaia::analytics
