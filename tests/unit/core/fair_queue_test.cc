#include "core/fair_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace gaia::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const MonoTime kT0{seconds(100)};

class FairQueueTest : public ::testing::Test {
 protected:
  TicketId add(FairQueue& q, UserId user, Tier tier = Tier::kDefault, uint32_t max_running = 0,
               MonoTime at = kT0) {
    Enqueued e = q.enqueue({user, tier, max_running, at}, at);
    EXPECT_TRUE(e.accepted);
    owner_[e.id] = user;
    return e.id;
  }
  // Starts commands until no seat is free; returns their users in order.
  std::vector<UserId> start_all(FairQueue& q, MonoTime now = kT0) {
    std::vector<UserId> users;
    while (auto s = q.next(now)) {
      users.push_back(owner_[s->id]);
      started_.push_back(s->id);
    }
    return users;
  }
  std::map<TicketId, UserId> owner_;
  std::vector<TicketId> started_;
};

TEST_F(FairQueueTest, OneUserIsServedInArrivalOrder) {
  FairQueue q({.workers = 1});
  TicketId a = add(q, 1), b = add(q, 1);
  auto s = q.next(kT0);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, a);
  EXPECT_FALSE(q.next(kT0)) << "the only worker is busy";
  q.finish(a, kT0 + seconds(1));
  s = q.next(kT0 + seconds(1));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, b);
  EXPECT_EQ(s->waited, seconds(1));
}

TEST_F(FairQueueTest, UsersTakeTurnsWhateverTheyQueued) {
  FairQueue q({.workers = 1});
  for (int i = 0; i < 3; ++i) add(q, 1);
  for (int i = 0; i < 3; ++i) add(q, 2);
  add(q, 3);
  std::vector<UserId> order;
  for (int i = 0; i < 7; ++i) {
    auto s = q.next(kT0);
    ASSERT_TRUE(s);
    order.push_back(owner_[s->id]);
    q.finish(s->id, kT0);
  }
  EXPECT_EQ(order, (std::vector<UserId>{1, 2, 3, 1, 2, 1, 2}));
}

TEST_F(FairQueueTest, AnOccasionalUserOvertakesAFlood) {
  FairQueue q({.workers = 2});
  for (UserId u = 1; u <= 4; ++u) {
    for (int i = 0; i < 50; ++i) add(q, u);
  }
  // Serve 40 commands, then the occasional user arrives.
  for (int i = 0; i < 40; ++i) {
    auto s = q.next(kT0);
    ASSERT_TRUE(s);
    q.finish(s->id, kT0);
  }
  TicketId mine = add(q, 9);
  EXPECT_LE(q.position(mine)->position, 1u);
  int starts_before_mine = 0;
  for (;;) {
    auto s = q.next(kT0);
    ASSERT_TRUE(s);
    q.finish(s->id, kT0);
    if (s->id == mine) break;
    ++starts_before_mine;
  }
  EXPECT_LE(starts_before_mine, 1);
}

TEST_F(FairQueueTest, APerUserLimitLeavesSeatsToOthers) {
  FairQueue q({.workers = 3});
  for (int i = 0; i < 5; ++i) add(q, 1, Tier::kDefault, 1);
  add(q, 2);
  EXPECT_EQ(start_all(q), (std::vector<UserId>{1, 2})) << "user 1 may run one at a time";
  q.finish(started_[0], kT0);
  EXPECT_EQ(start_all(q), (std::vector<UserId>{1}));
}

TEST_F(FairQueueTest, EveryClassKeepsItsShareUnderAFloodFromAbove) {
  // 10 workers: enterprise 5, premium 3, default 2 guaranteed.
  FairQueue q({.workers = 10});
  for (int i = 0; i < 100; ++i) add(q, 1, Tier::kEnterprise);
  for (int i = 0; i < 100; ++i) add(q, 2, Tier::kPremium);
  for (int i = 0; i < 100; ++i) add(q, 3, Tier::kDefault);
  std::map<UserId, int> running;
  for (UserId u : start_all(q)) ++running[u];
  EXPECT_EQ(running[1], 5);
  EXPECT_EQ(running[2], 3);
  EXPECT_EQ(running[3], 2);
}

TEST_F(FairQueueTest, UnusedSeatsAreLentAndGivenBack) {
  FairQueue q({.workers = 4});  // guaranteed: enterprise 2, premium 1, default 1
  for (int i = 0; i < 10; ++i) add(q, 3, Tier::kDefault);
  EXPECT_EQ(start_all(q).size(), 4u) << "default borrows every idle seat";
  TicketId vip = add(q, 1, Tier::kEnterprise);
  EXPECT_FALSE(q.next(kT0)) << "no preemption";
  q.finish(started_[0], kT0);
  auto s = q.next(kT0);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, vip) << "the freed seat goes to the class below its share";
}

TEST_F(FairQueueTest, AFullClassRefusesWhileOthersStillQueue) {
  FairQueue q({.workers = 1, .capacity = {1, 1, 2}});
  add(q, 1);
  add(q, 1);
  EXPECT_FALSE(q.enqueue({1, Tier::kDefault, 0, kT0}, kT0).accepted);
  EXPECT_TRUE(q.enqueue({2, Tier::kPremium, 0, kT0}, kT0).accepted);
}

TEST_F(FairQueueTest, ACommandWaitsNoLongerThanTheMaximum) {
  FairQueue q({.workers = 1, .max_wait = seconds(30)});
  TicketId running = add(q, 1);
  ASSERT_TRUE(q.next(kT0));
  TicketId waiting = add(q, 2, Tier::kDefault, 0, kT0 + seconds(1));
  EXPECT_EQ(q.next_deadline(kT0 + seconds(1)), kT0 + seconds(31));
  EXPECT_TRUE(q.expire(kT0 + seconds(30)).empty());
  EXPECT_EQ(q.expire(kT0 + seconds(31)), std::vector<TicketId>{waiting});
  EXPECT_FALSE(q.position(waiting));
  q.finish(running, kT0 + seconds(31));
  EXPECT_FALSE(q.next(kT0 + seconds(31)));
  EXPECT_EQ(q.stats().queued[2], 0u);
}

TEST_F(FairQueueTest, AHeldCommandStartsWhenItsDelayIsOver) {
  FairQueue q({.workers = 2});
  Enqueued e = q.enqueue({1, Tier::kDefault, 0, kT0 + milliseconds(300)}, kT0);
  EXPECT_FALSE(q.next(kT0));
  EXPECT_EQ(q.next_deadline(kT0), kT0 + milliseconds(300));
  auto s = q.next(kT0 + milliseconds(300));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, e.id);
}

TEST_F(FairQueueTest, TheCapacityFactorScalesTheSeats) {
  FairQueue q({.workers = 4});
  for (int i = 0; i < 10; ++i) add(q, static_cast<UserId>(i));
  q.set_capacity_factor(0.0);
  EXPECT_TRUE(start_all(q).empty()) << "at factor 0 nothing new starts";
  q.set_capacity_factor(0.5);
  EXPECT_EQ(start_all(q).size(), 2u);
  q.set_capacity_factor(1.0);
  EXPECT_EQ(start_all(q).size(), 2u);
  EXPECT_EQ(q.stats().seats, 4u);
}

TEST_F(FairQueueTest, CancelRemovesOnlyAWaitingCommand) {
  FairQueue q({.workers = 1});
  TicketId a = add(q, 1), b = add(q, 2), c = add(q, 3);
  ASSERT_EQ(q.next(kT0)->id, a);
  EXPECT_FALSE(q.cancel(a)) << "already running";
  EXPECT_EQ(q.position(c)->position, 1u);
  EXPECT_TRUE(q.cancel(b));
  EXPECT_FALSE(q.cancel(b));
  EXPECT_EQ(q.position(c)->position, 0u);
  q.finish(a, kT0);
  EXPECT_EQ(q.next(kT0)->id, c);
}

TEST_F(FairQueueTest, ExpectedWaitFollowsServiceTimes) {
  FairQueue q({.workers = 1});
  MonoTime t = kT0;
  for (int i = 0; i < 30; ++i) {  // every command takes 2 s
    TicketId id = add(q, 1, Tier::kDefault, 0, t);
    ASSERT_TRUE(q.next(t));
    t += seconds(2);
    q.finish(id, t);
  }
  add(q, 1, Tier::kDefault, 0, t);
  ASSERT_TRUE(q.next(t));
  Enqueued e = q.enqueue({2, Tier::kDefault, 0, t}, t);
  EXPECT_EQ(e.position, 0u);
  EXPECT_GE(e.expected_wait, milliseconds(1990)) << "the only seat is taken for about 2 s";
  EXPECT_LE(e.expected_wait, milliseconds(2000));
  Enqueued f = q.enqueue({3, Tier::kDefault, 0, t}, t);
  EXPECT_EQ(f.position, 1u);
  EXPECT_GE(f.expected_wait, milliseconds(3980));
}

}  // namespace
}  // namespace gaia::core
