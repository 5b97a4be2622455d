// Many threads on one principal: a limit of N admits exactly N, for every limit kind.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/limiter.h"
#include "support/manual_clock.h"
#include "unit/core/test_rules.h"

namespace gaia::core {
namespace {

using namespace std::chrono_literals;

constexpr int kThreads = 8;
constexpr int kAttemptsPerThread = 2000;
constexpr uint32_t kLimit = 1000;

int admitted_under_contention(LimitSpec spec) {
  testing::ManualClock clock;
  Limiter limiter(testing::compile_or_die({testing::rule_for(testing::kGlobal, "shell", {spec})}),
                  {});
  const Instant now = clock.now();
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&limiter, &admitted, now] {
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        if (limiter.check({{42, 4242, Tier::kDefault}, testing::kShell, 1}, now).allowed) {
          admitted.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return admitted.load();
}

TEST(LimiterConcurrencyTest, RateAdmitsExactlyLimit) {
  EXPECT_EQ(admitted_under_contention(LimitSpec::rate(kLimit, 1min)), static_cast<int>(kLimit));
}

TEST(LimiterConcurrencyTest, CalendarAdmitsExactlyLimit) {
  EXPECT_EQ(admitted_under_contention(LimitSpec::calendar(kLimit, CalendarPeriod::kDay)),
            static_cast<int>(kLimit));
}

TEST(LimiterConcurrencyTest, ConcurrencyAdmitsExactlyLimit) {
  EXPECT_EQ(admitted_under_contention(LimitSpec::concurrency(kLimit)), static_cast<int>(kLimit));
}

TEST(LimiterConcurrencyTest, ReleasedSlotsNeverExceedLimit) {
  testing::ManualClock clock;
  Limiter limiter(testing::compile_or_die(
                      {testing::rule_for(testing::kGlobal, "shell", {LimitSpec::concurrency(3)})}),
                  {});
  const Instant now = clock.now();
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        Decision d = limiter.check({{42, 0, Tier::kDefault}, testing::kShell, 1}, now);
        if (!d.allowed) continue;
        int r = running.fetch_add(1) + 1;
        int p = peak.load();
        while (r > p && !peak.compare_exchange_weak(p, r)) {
        }
        running.fetch_sub(1);
        limiter.release(d.lease);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
}

}  // namespace
}  // namespace gaia::core
