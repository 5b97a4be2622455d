// LeaseKeeper on the counters in a real redis-server, at the times a manual clock gives: a
// held lease is renewed by every round and keeps its slot however long its command runs; a
// lease given back frees its slot at once and is renewed no more.

#include "exec/lease_keeper.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "cluster/redis/counter_backend.h"
#include "support/loopback_port.h"
#include "support/manual_clock.h"
#include "support/redis_server.h"
#include "unit/cluster/hiredis_caller.h"
#include "unit/core/test_rules.h"

namespace gaia::exec {
namespace {

using namespace std::chrono_literals;

const core::Principal kAlice{1, 11, core::Tier::kDefault, core::kFullScale};
constexpr int64_t kTtlMs = 3000;

class LeaseKeeperTest : public ::testing::Test {
 protected:
  LeaseKeeperTest() {
    bool loaded = false;
    redis_.load([&](bool ok) { loaded = ok; });
    EXPECT_TRUE(loaded);
  }
  // A check of one slot of alice's concurrency limit of 1, now.
  core::Decision take() {
    core::CheckResult result;
    result.decided = false;
    redis_.check({kAlice, testing::kShell, 1}, clock_.now(),
                 [&](const core::CheckResult& r) { result = r; });
    EXPECT_TRUE(result.decided);
    return result.decision;
  }
  // Whether the slot is free now (a check that gives back what it took).
  bool free_now() {
    core::Decision d = take();
    redis_.release(d.lease);
    return d.allowed;
  }
  static std::unique_ptr<testing::RedisServer> start_redis() {
    std::string error;
    auto server = testing::RedisServer::create({}, error);
    EXPECT_TRUE(server) << error;
    return server;
  }

  std::unique_ptr<testing::RedisServer> server_ = start_redis();
  testing::HiredisCaller caller_{server_ ? server_->port() : testing::refused_port()};
  testing::ManualClock clock_;
  core::Limiter limiter_{testing::compile_or_die({testing::rule_for(
                             testing::kGlobal, "shell", {core::LimitSpec::concurrency(1)})}),
                         {}};
  cluster::redis::RedisCounterBackend redis_{
      caller_, limiter_, {.lease_ttl_ms = kTtlMs, .note_capacity = 0, .time_from_node = true}};
  LeaseKeeper keeper_{redis_, clock_};
};

TEST_F(LeaseKeeperTest, AHeldLeaseRenewedEveryThirdOfItsTermKeepsItsSlotPastManyTerms) {
  core::Decision admitted = take();
  ASSERT_TRUE(admitted.allowed);
  LeaseKeeper::Held held = keeper_.hold(admitted.lease);
  EXPECT_EQ(keeper_.held(), 1u);
  for (int round = 0; round < 12; ++round) {  // four terms
    clock_.advance(std::chrono::milliseconds(kTtlMs / 3));
    keeper_.renew_all();
    ASSERT_FALSE(free_now()) << "round " << round;
  }
  held.release();
  EXPECT_EQ(keeper_.held(), 0u);
  EXPECT_TRUE(free_now()) << "given back when the command ended";
}

TEST_F(LeaseKeeperTest, AHeldLeaseNobodyRenewsLapsesAfterItsTerm) {
  core::Decision admitted = take();
  ASSERT_TRUE(admitted.allowed);
  LeaseKeeper::Held held = keeper_.hold(admitted.lease);
  clock_.advance(std::chrono::milliseconds(kTtlMs - 1));
  EXPECT_FALSE(free_now());
  clock_.advance(1ms);
  EXPECT_TRUE(free_now()) << "the node that held it stopped renewing";
}

TEST_F(LeaseKeeperTest, ALeaseGivenBackIsRenewedNoMore) {
  core::Decision first = take();
  ASSERT_TRUE(first.allowed);
  { LeaseKeeper::Held held = keeper_.hold(first.lease); }  // destroyed: given back
  EXPECT_EQ(keeper_.held(), 0u);
  core::Decision second = take();
  ASSERT_TRUE(second.allowed) << "the first slot came back";
  LeaseKeeper::Held moved;
  moved = keeper_.hold(second.lease);
  LeaseKeeper::Held owner = std::move(moved);
  moved.release();  // moved from: holds nothing
  EXPECT_EQ(keeper_.held(), 1u);
  owner.release();
  owner.release();
  keeper_.renew_all();
  EXPECT_TRUE(free_now());
}

TEST_F(LeaseKeeperTest, ALeaseOfNoSlotsHoldsNothing) {
  LeaseKeeper::Held held = keeper_.hold(core::Lease{});
  EXPECT_EQ(keeper_.held(), 0u);
}

}  // namespace
}  // namespace gaia::exec
