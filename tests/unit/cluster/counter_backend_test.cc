// RedisCounterBackend on a real redis-server: concurrency leases that lapse and are renewed
// (a renewal or a release after the lapse changes nothing), the node's refusal note, the
// library reloaded after Redis lost it, the epoch that names the node which restores, an
// undecided answer when Redis cannot be reached, and the quota status read from Redis
// (gaia_peek) as the limiter shows its own, consuming nothing.

#include "cluster/redis/counter_backend.h"

#include <gtest/gtest.h>

#include "support/loopback_port.h"
#include "support/redis_server.h"
#include "unit/cluster/hiredis_caller.h"
#include "unit/core/test_rules.h"

namespace gaia::cluster::redis {
namespace {

using namespace std::chrono_literals;
using core::LimitSpec;
using testing::kGlobal;
using testing::kShell;
using testing::rule_for;

const core::Principal kAlice{1, 11, core::Tier::kDefault, core::kFullScale};
constexpr int64_t kStart = 1767571200000;  // 2026-01-05 00:00 UTC

class CounterBackendTest : public ::testing::Test {
 protected:
  // A backend on the test's Redis counting at the times the test gives.
  std::unique_ptr<RedisCounterBackend> backend(core::Limiter& limiter,
                                               RedisCounterOptions options = {}) {
    options.time_from_node = true;
    auto b = std::make_unique<RedisCounterBackend>(caller_, limiter, options);
    bool loaded = false;
    b->load([&](bool ok) { loaded = ok; });
    EXPECT_TRUE(loaded);
    return b;
  }
  static core::Instant at(int64_t ms) {
    return {core::MonoTime(std::chrono::milliseconds(ms)),
            core::WallTime(std::chrono::milliseconds(ms))};
  }
  static core::CheckResult check(core::CounterBackend& b, int64_t ms, uint32_t cost = 1) {
    core::CheckResult result;
    result.decided = false;
    b.check({kAlice, kShell, cost}, at(ms), [&](const core::CheckResult& r) { result = r; });
    return result;
  }

  static std::unique_ptr<testing::RedisServer> start_redis() {
    std::string error;
    auto server = testing::RedisServer::create({}, error);
    EXPECT_TRUE(server) << error;
    return server;
  }

  std::unique_ptr<testing::RedisServer> server_ = start_redis();
  testing::HiredisCaller caller_{server_ ? server_->port() : testing::refused_port()};
};

TEST_F(CounterBackendTest, ConcurrencySlotsLapseUnlessRenewed) {
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::concurrency(1)})}), {});
  auto redis = backend(limiter, {.lease_ttl_ms = 30'000, .note_capacity = 0});

  core::CheckResult first = check(*redis, kStart);
  ASSERT_TRUE(first.decided && first.decision.allowed);
  EXPECT_EQ(first.decision.lease.count, 1);
  core::CheckResult busy = check(*redis, kStart + 1);
  ASSERT_TRUE(busy.decided);
  EXPECT_FALSE(busy.decision.allowed);
  EXPECT_EQ(busy.decision.deciding.retry_after_ms, 1000);

  // Nobody renewed the first lease (its node died): the slot comes back when it lapses.
  EXPECT_FALSE(check(*redis, kStart + 29'999).decision.allowed);
  core::CheckResult second = check(*redis, kStart + 30'000);
  ASSERT_TRUE(second.decision.allowed);

  // A running command renews its lease and keeps the slot past the first term.
  redis->renew(second.decision.lease, at(kStart + 50'000));
  EXPECT_FALSE(check(*redis, kStart + 70'000).decision.allowed);
  redis->release(second.decision.lease);
  EXPECT_TRUE(check(*redis, kStart + 70'001).decision.allowed);
}

TEST_F(CounterBackendTest, ARenewalAfterTheLeaseLapsedDoesNotTakeTheSlotBack) {
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::concurrency(1)})}), {});
  auto redis = backend(limiter, {.lease_ttl_ms = 30'000, .note_capacity = 0});
  core::CheckResult held = check(*redis, kStart);
  ASSERT_TRUE(held.decided && held.decision.allowed);

  // Its node renews too late, before any check has swept the lapsed slot away.
  redis->renew(held.decision.lease, at(kStart + 30'001));
  core::CheckResult next = check(*redis, kStart + 30'002);
  ASSERT_TRUE(next.decided);
  EXPECT_TRUE(next.decision.allowed) << "the lapsed slot stays given back";
}

TEST_F(CounterBackendTest, AReleaseAfterTheLeaseLapsedLeavesTheNextHolderItsSlot) {
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::concurrency(1)})}), {});
  auto redis = backend(limiter, {.lease_ttl_ms = 30'000, .note_capacity = 0});
  core::CheckResult lapsed = check(*redis, kStart);
  ASSERT_TRUE(lapsed.decided && lapsed.decision.allowed);
  core::CheckResult holder = check(*redis, kStart + 30'000);
  ASSERT_TRUE(holder.decided && holder.decision.allowed);

  // The first holder ends late: its renewal and release touch only its own lapsed slot.
  redis->renew(lapsed.decision.lease, at(kStart + 30'001));
  redis->release(lapsed.decision.lease);
  EXPECT_FALSE(check(*redis, kStart + 30'002).decision.allowed) << "the slot is still held";
  redis->release(holder.decision.lease);
  EXPECT_TRUE(check(*redis, kStart + 30'003).decision.allowed);
}

TEST_F(CounterBackendTest, ARefusalIsAnsweredFromTheNoteUntilTheLimitFrees) {
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(2, 1s)})}), {});
  auto redis = backend(limiter);
  ASSERT_TRUE(check(*redis, kStart).decision.allowed);
  ASSERT_TRUE(check(*redis, kStart).decision.allowed);
  core::CheckResult refused = check(*redis, kStart + 10);
  ASSERT_FALSE(refused.decision.allowed);
  const int64_t wait = refused.decision.deciding.retry_after_ms;
  ASSERT_GT(wait, 100);

  const int calls = caller_.calls();
  core::CheckResult noted = check(*redis, kStart + 60);
  EXPECT_EQ(caller_.calls(), calls) << "answered without Redis";
  EXPECT_FALSE(noted.decision.allowed);
  EXPECT_EQ(noted.decision.deciding.retry_after_ms, wait - 50);

  // Another cost is another question: Redis answers it.
  check(*redis, kStart + 60, 2);
  EXPECT_EQ(caller_.calls(), calls + 1);

  // When the limit frees, Redis is asked again and admits.
  core::CheckResult later = check(*redis, kStart + 10 + wait);
  EXPECT_EQ(caller_.calls(), calls + 2);
  EXPECT_TRUE(later.decision.allowed);
}

TEST_F(CounterBackendTest, APeekShowsWhatTheLimiterShowsOfTheSameChecksAndCountsNothing) {
  auto rules =
      testing::compile_or_die({rule_for(kGlobal, "shell",
                                        {LimitSpec::calendar(5, core::CalendarPeriod::kDay),
                                         LimitSpec::rate(3, 10s), LimitSpec::concurrency(2)})});
  core::Limiter limiter(rules, {});
  core::Limiter mirror(rules, {});
  // Leases longer than the test, as the mirror's slots never lapse.
  auto redis = backend(limiter, {.lease_ttl_ms = 60'000, .note_capacity = 0});
  std::vector<core::Lease> held;  // both slots, by two running commands
  for (int64_t ms : {kStart, kStart + 4'000}) {
    core::CheckResult r = check(*redis, ms);
    ASSERT_TRUE(r.decision.allowed);
    held.push_back(r.decision.lease);
    ASSERT_TRUE(mirror.check({kAlice, kShell, 1}, at(ms)).allowed);
  }
  auto peek = [&](int64_t ms) {
    std::optional<std::vector<core::QuotaLine>> lines;
    redis->peek(kAlice, at(ms), [&](std::optional<std::vector<core::QuotaLine>> l) { lines = l; });
    return lines;
  };
  for (int64_t ms : {kStart + 5'000, kStart + 5'000, kStart + 12'000}) {
    auto lines = peek(ms);
    ASSERT_TRUE(lines);
    const std::vector<core::QuotaLine> expected = mirror.quota_status(kAlice, at(ms));
    ASSERT_EQ(lines->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const core::LimitState& got = (*lines)[i].state;
      const core::LimitState& want = expected[i].state;
      EXPECT_EQ((*lines)[i].type, expected[i].type) << i;
      EXPECT_EQ(got.limit.kind, want.limit.kind) << i;
      EXPECT_EQ(got.used, want.used) << i << " at " << ms - kStart;
      EXPECT_EQ(got.remaining, want.remaining) << i << " at " << ms - kStart;
      EXPECT_EQ(got.retry_after_ms, want.retry_after_ms) << i << " at " << ms - kStart;
      EXPECT_EQ(got.reset_ms, want.reset_ms) << i << " at " << ms - kStart;
    }
  }
  // Peeking counted nothing: the day's 5 still hold the 3 left.
  for (const core::Lease& lease : held) redis->release(lease);
  for (int i = 0; i < 3; ++i) {
    core::CheckResult r = check(*redis, kStart + 20'000 + i);
    EXPECT_TRUE(r.decision.allowed) << i;
    redis->release(r.decision.lease);
  }
  EXPECT_FALSE(check(*redis, kStart + 20'010).decision.allowed);
}

TEST_F(CounterBackendTest, AConcurrencyRefusalIsNotNoted) {
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::concurrency(1)})}), {});
  auto redis = backend(limiter);
  core::CheckResult held = check(*redis, kStart);
  ASSERT_TRUE(held.decision.allowed);
  ASSERT_FALSE(check(*redis, kStart + 1).decision.allowed);
  redis->release(held.decision.lease);  // may come at any moment: only Redis knows
  EXPECT_TRUE(check(*redis, kStart + 2).decision.allowed);
}

TEST_F(CounterBackendTest, ReloadsItsLibraryWhenRedisLostIt) {
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1s)})}), {});
  auto redis = backend(limiter);
  ASSERT_TRUE(check(*redis, kStart).decided);
  caller_.run({"FUNCTION", "FLUSH"});
  EXPECT_FALSE(check(*redis, kStart + 1).decided) << "no time left for a second round trip";
  core::CheckResult after = check(*redis, kStart + 2);
  EXPECT_TRUE(after.decided);
  EXPECT_TRUE(after.decision.allowed);
}

TEST_F(CounterBackendTest, TheEpochNamesTheOneNodeThatRestores) {
  core::Limiter limiter(testing::compile_or_die({}), {});
  testing::HiredisCaller other_caller(server_->port());
  RedisCounterBackend a(caller_, limiter, {});
  RedisCounterBackend b(other_caller, limiter, {});
  auto restores = [](RedisCounterBackend& node) {
    bool restore = false;
    node.check_epoch([&](bool r) { restore = r; });
    return restore;
  };
  // The library is missing at first: check_epoch loads it.
  EXPECT_TRUE(restores(a)) << "the first node on an empty Redis restores";
  EXPECT_FALSE(restores(b));
  EXPECT_FALSE(restores(a));
  caller_.run({"FLUSHALL"});  // Redis came back empty
  caller_.run({"FUNCTION", "FLUSH"});
  EXPECT_TRUE(restores(b));
  EXPECT_FALSE(restores(a));
}

TEST(CounterBackendUnreachableTest, ACheckRedisCannotAnswerIsUndecided) {
  testing::HiredisCaller nowhere(testing::refused_port());
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1s)})}), {});
  RedisCounterBackend redis(nowhere, limiter, {});
  core::CheckResult result;
  redis.check({kAlice, kShell, 1}, {core::MonoTime(1h), core::WallTime(1h)},
              [&](const core::CheckResult& r) { result = r; });
  EXPECT_FALSE(result.decided);
}

TEST(CounterBackendUnreachableTest, APeekRedisCannotAnswerHasNoFigures) {
  testing::HiredisCaller nowhere(testing::refused_port());
  core::Limiter limiter(
      testing::compile_or_die({rule_for(kGlobal, "shell", {LimitSpec::rate(5, 1s)})}), {});
  RedisCounterBackend redis(nowhere, limiter, {});
  bool answered = false;
  redis.peek(kAlice, {core::MonoTime(1h), core::WallTime(1h)},
             [&](std::optional<std::vector<core::QuotaLine>> lines) {
               answered = true;
               EXPECT_FALSE(lines);
             });
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace gaia::cluster::redis
