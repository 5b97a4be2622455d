#include "store/write_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "support/manual_clock.h"

namespace gaia::store {
namespace {

Execution execution(std::string id) {
  Execution e;
  e.id = std::move(id);
  return e;
}

const testing::ManualClock clock;
const WriteQueue::SetAside kNoSetAside = [](const DeadLetter&) { return Status(); };

TEST(WriteQueueTest, FailedCommitAnswersTheErrorAndKeepsUsageForTheNextAttempt) {
  std::atomic<int> attempts{0};
  std::atomic<uint64_t> usage_committed{0};
  WriteQueue queue(
      [&](const WriteBatch& batch) -> Result<std::vector<bool>> {
        if (attempts++ == 0) return Status::unavailable("disk full");
        for (const Usage& u : batch.usage) usage_committed += u.used;
        return std::vector<bool>(batch.executions.size(), true);
      },
      kNoSetAside, 16, std::chrono::milliseconds(10), clock);
  queue.push(Usage{1, 1, "shell", 0, 5});
  std::promise<Result<bool>> answer;
  queue.push(execution("a"), [&](Result<bool> r) { answer.set_value(std::move(r)); });
  Result<bool> first = answer.get_future().get();
  if (attempts.load() == 1) {
    // The usage and the execution went in the failing batch.
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.status().message(), "disk full");
    EXPECT_FALSE(queue.health().ok);
  }
  ASSERT_TRUE(queue.flush().ok());
  EXPECT_EQ(usage_committed.load(), 5u);
  EXPECT_TRUE(queue.health().ok);
}

TEST(WriteQueueTest, BatchesAreBoundedAndEveryCallbackRuns) {
  std::atomic<size_t> largest{0};
  std::atomic<int> answered{0};
  {
    WriteQueue queue(
        [&](const WriteBatch& batch) -> Result<std::vector<bool>> {
          largest = std::max(largest.load(), batch.executions.size());
          return std::vector<bool>(batch.executions.size(), true);
        },
        kNoSetAside, 8, std::chrono::milliseconds(10), clock);
    for (int i = 0; i < 1000; ++i) {
      queue.push(execution(std::to_string(i)), [&](Result<bool> r) { answered += r.ok(); });
    }
  }  // the destructor drains the queue
  EXPECT_EQ(answered.load(), 1000);
  EXPECT_LE(largest.load(), 8u);
}

TEST(WriteQueueTest, ADurableQueueAnswersAPushOnlyOnceItsCommitHasReturned) {
  std::atomic<uint64_t> committed{0};
  WriteQueue queue(
      [&](const WriteBatch& batch) -> Result<std::vector<bool>> {
        for (const Usage& u : batch.usage) committed += u.used;
        committed += 100 * batch.violations.size();
        return std::vector<bool>(batch.executions.size(), true);
      },
      kNoSetAside, 16, std::chrono::milliseconds(0), clock);
  queue.push(Usage{1, 1, "shell", 0, 5});
  EXPECT_EQ(committed.load(), 5u);
  queue.push(Violation{});
  EXPECT_EQ(committed.load(), 105u);
}

TEST(WriteQueueTest, ADurableQueueGroupsThePushesOfManyThreads) {
  std::atomic<uint64_t> committed{0};
  std::atomic<int> commits{0};
  {
    WriteQueue queue(
        [&](const WriteBatch& batch) -> Result<std::vector<bool>> {
          ++commits;
          for (const Usage& u : batch.usage) committed += u.used;
          return std::vector<bool>(batch.executions.size(), true);
        },
        kNoSetAside, 4096, std::chrono::milliseconds(0), clock);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 100; ++i) queue.push(Usage{1, 1, "shell", 0, 1});
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(committed.load(), 400u);
  }
  EXPECT_LE(commits.load(), 400);
}

}  // namespace
}  // namespace gaia::store
