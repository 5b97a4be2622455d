#include "exec/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <mutex>
#include <vector>

#include "support/eventually.h"
#include "support/manual_clock.h"

namespace gaia::exec {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

// A gate jobs wait at until the test opens it.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class SchedulerTest : public ::testing::Test {
 protected:
  Job job(
      core::UserId user, std::function<void()> body = [] {},
      core::Tier tier = core::Tier::kDefault) {
    Job j;
    j.command = {user, tier, 0, {}};
    j.run = [this, user, body](core::TicketId) {
      {
        std::lock_guard lock(mu_);
        order_.push_back(user);
        peak_ = std::max(peak_, ++running_);
      }
      body();
      std::lock_guard lock(mu_);
      --running_;
    };
    j.dropped = [this, user](DropReason r) {
      std::lock_guard lock(mu_);
      dropped_.emplace_back(user, r);
    };
    return j;
  }
  std::vector<core::UserId> order() {
    std::lock_guard lock(mu_);
    return order_;
  }
  int running() {
    std::lock_guard lock(mu_);
    return running_;
  }

  testing::ManualClock clock_;
  std::mutex mu_;
  std::vector<core::UserId> order_;
  std::vector<std::pair<core::UserId, DropReason>> dropped_;
  int running_ = 0, peak_ = 0;
};

TEST_F(SchedulerTest, RunsEveryJobWithNoMoreThanTheWorkersAtOnce) {
  Gate gate;
  std::latch done(20);
  {
    Scheduler s({.workers = 3}, clock_);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(s.submit(job(static_cast<core::UserId>(i % 4), [&] {
                     gate.wait();
                     done.count_down();
                   })).accepted);
    }
    ASSERT_TRUE(testing::eventually([&] { return running() == 3; }, minutes(1), milliseconds(1)))
        << "three jobs run side by side";
    gate.open();
    done.wait();
  }
  EXPECT_EQ(order().size(), 20u);
  EXPECT_EQ(peak_, 3);
}

TEST_F(SchedulerTest, AnOccasionalUserDoesNotWaitBehindAFlood) {
  Gate gate;
  Scheduler s({.workers = 1}, clock_);
  std::latch first_started(1);
  s.submit(job(1, [&] {
    first_started.count_down();
    gate.wait();
  }));
  first_started.wait();
  std::latch done(21);
  for (int i = 0; i < 10; ++i) s.submit(job(1, [&] { done.count_down(); }));
  for (int i = 0; i < 10; ++i) s.submit(job(2, [&] { done.count_down(); }));
  core::Enqueued mine = s.submit(job(3, [&] { done.count_down(); }));
  // User 1 has had its turn (the running job); user 2 has not.
  EXPECT_EQ(mine.position, 1u);
  gate.open();
  done.wait();
  std::vector<core::UserId> got = order();
  ASSERT_EQ(got.size(), 22u);
  EXPECT_EQ(got[2], 3u);
}

TEST_F(SchedulerTest, AJobThatWaitsTooLongIsDroppedNotRun) {
  Gate gate;
  std::latch started(1);
  std::promise<DropReason> dropped;
  Scheduler s({.workers = 1, .max_wait = minutes(1)}, clock_);
  s.submit(job(1, [&] {
    started.count_down();
    gate.wait();
  }));
  started.wait();
  Job late = job(2);
  late.dropped = [&](DropReason r) { dropped.set_value(r); };
  ASSERT_TRUE(s.submit(std::move(late)).accepted);
  clock_.advance(minutes(2));
  s.set_capacity_factor(1.0);  // wakes the dispatcher, which reads the clock again
  EXPECT_EQ(dropped.get_future().get(), DropReason::kTimedOut);
  gate.open();
  s.stop();
  EXPECT_EQ(order(), std::vector<core::UserId>{1});
}

TEST_F(SchedulerTest, CancelDropsAWaitingJob) {
  Gate gate;
  std::latch started(1);
  Scheduler s({.workers = 1}, clock_);
  s.submit(job(1, [&] {
    started.count_down();
    gate.wait();
  }));
  started.wait();
  core::Enqueued waiting = s.submit(job(2));
  EXPECT_TRUE(s.cancel(waiting.id));
  EXPECT_FALSE(s.cancel(waiting.id));
  gate.open();
  s.stop();
  EXPECT_EQ(order(), std::vector<core::UserId>{1});
  ASSERT_EQ(dropped_.size(), 1u);
  EXPECT_EQ(dropped_[0], std::make_pair(core::UserId{2}, DropReason::kCancelled));
}

TEST_F(SchedulerTest, StopDropsTheWaitingAndFinishesTheRunning) {
  Gate gate;
  std::latch started(1);
  Scheduler s({.workers = 1}, clock_);
  s.submit(job(1, [&] {
    started.count_down();
    gate.wait();
  }));
  started.wait();
  // The running job may end only once stop() has dropped the waiting one.
  Job waiting = job(2);
  waiting.dropped = [&, record = waiting.dropped](DropReason r) {
    record(r);
    gate.open();
  };
  s.submit(std::move(waiting));
  s.stop();
  EXPECT_EQ(order(), std::vector<core::UserId>{1});
  ASSERT_EQ(dropped_.size(), 1u);
  EXPECT_EQ(dropped_[0].second, DropReason::kShutdown);
  EXPECT_FALSE(s.submit(job(3)).accepted) << "a stopped scheduler accepts nothing";
}

TEST_F(SchedulerTest, AtCapacityFactorZeroWorkWaitsUntilTheLoadFalls) {
  Scheduler s({.workers = 2}, clock_);
  s.set_capacity_factor(0.0);
  std::latch ran(1);
  s.submit(job(1, [&] { ran.count_down(); }));
  // Nothing starts at factor 0, whenever the dispatcher looks (core::FairQueue's tests hold
  // the rule itself).
  EXPECT_TRUE(order().empty());
  EXPECT_EQ(s.stats().queued[2], 1u);
  s.set_capacity_factor(1.0);
  ran.wait();
  EXPECT_EQ(order(), std::vector<core::UserId>{1});
}

TEST_F(SchedulerTest, AWaitingJobHearsItsPositionFall) {
  Gate gate;
  std::latch started(1);
  Scheduler s({.workers = 1}, clock_);
  s.submit(job(1, [&] {
    started.count_down();
    gate.wait();
  }));
  started.wait();
  s.submit(job(2));
  std::latch watched_ran(1);
  Job watched = job(3, [&] { watched_ran.count_down(); });
  std::mutex mu;
  std::vector<size_t> positions;
  watched.moved = [&](const core::Enqueued& e) {
    std::lock_guard lock(mu);
    positions.push_back(e.position);
  };
  EXPECT_EQ(s.submit(std::move(watched)).position, 1u);
  gate.open();
  watched_ran.wait();
  std::lock_guard lock(mu);
  EXPECT_EQ(positions, std::vector<size_t>{0});
}

}  // namespace
}  // namespace gaia::exec
