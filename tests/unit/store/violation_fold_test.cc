#include "store/violation_fold.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "store/write_queue.h"
#include "support/manual_clock.h"

namespace gaia::store {
namespace {

using std::chrono::milliseconds;

// A refusal of user `user` by "rate:1s:5" at the clock's time now.
Violation refusal(const testing::ManualClock& clock, uint64_t user, std::string command = "ls") {
  return {user, user * 10, "shell", "rate:1s:5", std::move(command), core::to_ms(clock.wall_now())};
}

TEST(ViolationFoldTest, RefusalsOfOneGroupAndSecondAreOneEpisode) {
  testing::ManualClock clock;  // on a whole second
  const int64_t start = core::to_ms(clock.wall_now());
  ViolationFold fold;
  fold.add(refusal(clock, 1, "first"));
  clock.advance(milliseconds(300));
  fold.add(refusal(clock, 1, "second"));
  clock.advance(milliseconds(600));
  fold.add(refusal(clock, 1, "third"));
  const std::vector<Violation> episodes = fold.take();
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_EQ(episodes[0].count, 3u);
  EXPECT_EQ(episodes[0].first_ms(), start);
  EXPECT_EQ(episodes[0].at_ms, start + 900);
  EXPECT_EQ(episodes[0].command, "first");  // the sample: the refusal that started it
  EXPECT_TRUE(fold.empty());
}

TEST(ViolationFoldTest, ANewSecondStartsANewEpisode) {
  testing::ManualClock clock;
  ViolationFold fold;
  fold.add(refusal(clock, 1));
  clock.advance(milliseconds(999));
  fold.add(refusal(clock, 1));
  clock.advance(milliseconds(1));
  fold.add(refusal(clock, 1));
  const std::vector<Violation> episodes = fold.take();
  ASSERT_EQ(episodes.size(), 2u);
  EXPECT_EQ(episodes[0].count, 2u);
  EXPECT_EQ(episodes[0].span_ms, 999);
  EXPECT_EQ(episodes[1].count, 1u);
  EXPECT_EQ(episodes[1].span_ms, 0);
}

TEST(ViolationFoldTest, EachUserKeyTypeAndLimitIsAGroupOfItsOwn) {
  testing::ManualClock clock;
  ViolationFold fold;
  Violation base = refusal(clock, 1);
  fold.add(base);
  Violation other_key = base;
  other_key.key_id = 99;
  Violation other_type = base;
  other_type.type = "code";
  Violation other_limit = base;
  other_limit.limit = "calendar:day:500";
  for (const Violation& v : {other_key, other_type, other_limit, refusal(clock, 2)}) fold.add(v);
  fold.add(base);
  const std::vector<Violation> episodes = fold.take();
  ASSERT_EQ(episodes.size(), 5u);
  EXPECT_EQ(episodes[0].count, 2u);
  for (size_t i = 1; i < episodes.size(); ++i) EXPECT_EQ(episodes[i].count, 1u) << i;
}

TEST(ViolationFoldTest, EpisodesMergeTheirCountsAndSpans) {
  Violation a{1, 2, "shell", "rate:1s:5", "a", 5'400};
  a.count = 4;
  a.span_ms = 300;  // 5'100 .. 5'400
  Violation b{1, 2, "shell", "rate:1s:5", "b", 5'200};
  b.count = 6;
  b.span_ms = 150;  // 5'050 .. 5'200
  const std::vector<Violation> folded = fold_violations({a, b});
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_EQ(folded[0].count, 10u);
  EXPECT_EQ(folded[0].first_ms(), 5'050);
  EXPECT_EQ(folded[0].at_ms, 5'400);
  EXPECT_EQ(folded[0].command, "a");
}

TEST(ViolationFoldTest, ACountStopsAtTheLargestStoredIntegerInsteadOfWrapping) {
  Violation a{1, 2, "shell", "rate:1s:5", "a", 1'000};
  a.count = INT64_MAX - 1;
  Violation b = a;
  b.count = 5;
  EXPECT_EQ(fold_violations({a, b}).front().count, static_cast<uint64_t>(INT64_MAX));
}

TEST(WriteQueueFoldTest, AFloodOfRefusalsIsCommittedAsOneEpisodePerUserAndSecond) {
  testing::ManualClock clock;
  std::mutex mu;
  std::vector<Violation> committed;
  WriteQueue queue(
      [&](const WriteBatch& batch) -> Result<std::vector<bool>> {
        std::lock_guard<std::mutex> lock(mu);
        committed.insert(committed.end(), batch.violations.begin(), batch.violations.end());
        return std::vector<bool>(batch.executions.size(), true);
      },
      [](const DeadLetter&) { return Status(); }, 4096, milliseconds(10'000), clock);
  // Three seconds of 1,000 refusals each from each of three users, one ms apart.
  constexpr int kUsers = 3, kSeconds = 3, kPerSecond = 1000;
  for (int s = 0; s < kSeconds; ++s) {
    for (int i = 0; i < kPerSecond; ++i) {
      for (uint64_t u = 1; u <= kUsers; ++u) queue.push(refusal(clock, u));
      clock.advance(milliseconds(1));
    }
  }
  EXPECT_EQ(queue.health().queued_writes, static_cast<size_t>(kUsers * kSeconds));
  ASSERT_TRUE(queue.flush().ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(committed.size(), static_cast<size_t>(kUsers * kSeconds));
  uint64_t refusals = 0;
  for (const Violation& v : committed) {
    EXPECT_EQ(v.count, static_cast<uint64_t>(kPerSecond));
    EXPECT_EQ(v.span_ms, kPerSecond - 1);
    refusals += v.count;
  }
  EXPECT_EQ(refusals, static_cast<uint64_t>(kUsers * kSeconds * kPerSecond));
}

TEST(WriteQueueFoldTest, EpisodesOfAFailedCommitFoldWithWhatCameMeanwhile) {
  testing::ManualClock clock;
  std::atomic<int> attempts{0};
  std::mutex mu;
  std::vector<Violation> committed;
  WriteQueue queue(
      [&](const WriteBatch& batch) -> Result<std::vector<bool>> {
        if (attempts++ == 0) return Status::unavailable("disk full");
        std::lock_guard<std::mutex> lock(mu);
        committed.insert(committed.end(), batch.violations.begin(), batch.violations.end());
        return std::vector<bool>(batch.executions.size(), true);
      },
      [](const DeadLetter&) { return Status(); }, 4096, milliseconds(10'000), clock);
  queue.push(refusal(clock, 1, "before"));
  EXPECT_FALSE(queue.flush().ok());
  clock.advance(milliseconds(200));
  queue.push(refusal(clock, 1, "after"));
  ASSERT_TRUE(queue.flush().ok());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].count, 2u);
  EXPECT_EQ(committed[0].span_ms, 200);
  EXPECT_EQ(committed[0].command, "before");
}

}  // namespace
}  // namespace gaia::store
