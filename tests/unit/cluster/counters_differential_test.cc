// The Redis counters against the core limiter: the same random sequences of checks, releases,
// restores and clock moves, on the same rules, must give identical decisions (admission, the
// deciding limit and its usage, Retry-After and reset, shadow refusals, lease slots). Time is
// given to both, not read: Redis counts at the node's time here (time_from_node). The full
// state is compared with the node's refusal note off; with it on, what it promises (below).

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "cluster/redis/counter_backend.h"
#include "core/limiter.h"
#include "core/local_counters.h"
#include "support/redis_server.h"
#include "unit/cluster/hiredis_caller.h"
#include "unit/core/test_rules.h"

namespace gaia::cluster::redis {
namespace {

using namespace std::chrono_literals;
using core::CalendarPeriod;
using core::Enforcement;
using core::LimitSpec;
using testing::key_subject;
using testing::kGlobal;
using testing::rule_for;
using testing::tier_subject;
using testing::user_subject;

const std::vector<core::Principal> kPrincipals = {
    {1, 11, core::Tier::kDefault, core::kFullScale},
    {1, 12, core::Tier::kDefault, core::kFullScale},
    {2, 21, core::Tier::kPremium, core::kFullScale},
    {2, 22, core::Tier::kPremium, 700},
    {3, 31, core::Tier::kEnterprise, core::kFullScale},
    {4, 41, core::Tier::kDefault, 500},
};

// A rule set drawn from `rng`: every kind of limit, shadow limits sharing an enforced limit's
// counter, windows of several widths on one (subject, type), any-type limits, every level.
std::shared_ptr<const core::RuleSet> random_rules(std::mt19937_64& rng) {
  auto in = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const std::chrono::milliseconds windows[] = {100ms, 1s, 3s, 60s};
  const auto shell_window = windows[in(0, 3)];
  std::vector<core::Rule> rules = {
      rule_for(kGlobal, "shell",
               {LimitSpec::rate(in(2, 6), shell_window),
                LimitSpec::calendar(in(5, 40), CalendarPeriod::kDay)}),
      rule_for(kGlobal, std::nullopt,
               {LimitSpec::rate(in(5, 12), 7s), LimitSpec::concurrency(in(1, 3)),
                LimitSpec::calendar(in(30, 100), CalendarPeriod::kWeek)}),
      rule_for(kGlobal, "code",
               {LimitSpec::rate(in(2, 5), 700ms),
                LimitSpec::calendar(in(20, 150), CalendarPeriod::kMonth),
                LimitSpec::concurrency(in(1, 2))}),
      rule_for(kGlobal, "shell",
               {LimitSpec::rate(in(1, 4), shell_window),
                LimitSpec::calendar(in(3, 10), CalendarPeriod::kDay)},
               Enforcement::kShadow),
      rule_for(tier_subject(core::Tier::kPremium), "shell", {LimitSpec::rate(in(3, 8), 2s)}),
      rule_for(user_subject(2), "shell",
               {LimitSpec::rate(in(1, 3), 500ms),
                LimitSpec::calendar(in(5, 30), CalendarPeriod::kWeek)}),
      rule_for(key_subject(21), std::nullopt,
               {LimitSpec::rate(in(2, 4), 1s), LimitSpec::concurrency(1)}),
      rule_for(user_subject(3), "code", {LimitSpec::calendar(in(2, 6), CalendarPeriod::kDay)}),
      rule_for(user_subject(4), "test",
               {LimitSpec::rate(in(1, 3), 250ms), LimitSpec::rate(in(2, 6), 1500ms)}),
  };
  auto berlin = core::Calendar::in_zone("Europe/Berlin");
  EXPECT_TRUE(berlin.ok());
  return testing::compile_or_die(std::move(rules), berlin.value());
}

void expect_same_state(const core::LimitState& core, const core::LimitState& redis,
                       const std::string& what) {
  EXPECT_EQ(core.limit.rule_id, redis.limit.rule_id) << what;
  EXPECT_EQ(core.limit.kind, redis.limit.kind) << what;
  EXPECT_EQ(core.limit.window_ms, redis.limit.window_ms) << what;
  EXPECT_EQ(core.limit.period, redis.limit.period) << what;
  EXPECT_EQ(core.limit.amount, redis.limit.amount) << what;
  EXPECT_EQ(core.used, redis.used) << what;
  EXPECT_EQ(core.remaining, redis.remaining) << what;
  EXPECT_EQ(core.retry_after_ms, redis.retry_after_ms) << what;
  EXPECT_EQ(core.reset_ms, redis.reset_ms) << what;
}

void expect_same(const core::Decision& core, const core::Decision& redis, const std::string& what) {
  ASSERT_EQ(core.allowed, redis.allowed) << what;
  EXPECT_EQ(core.priority, redis.priority) << what;
  ASSERT_EQ(core.has_deciding, redis.has_deciding) << what;
  if (core.has_deciding) {
    expect_same_state(core.deciding, redis.deciding,
                      what + " deciding rule " + std::to_string(core.deciding.limit.rule_id) +
                          " window " + std::to_string(core.deciding.limit.window_ms) + " type " +
                          std::to_string(core.deciding.limit.type));
  }
  ASSERT_EQ(core.shadow_refusals, redis.shadow_refusals) << what;
  for (int i = 0; i < core.shadow_refusals; ++i) {
    expect_same_state(core.shadow[i], redis.shadow[i], what + " shadow " + std::to_string(i));
  }
  EXPECT_EQ(core.lease.user, redis.lease.user) << what;
  EXPECT_EQ(core.lease.cost, redis.lease.cost) << what;
  ASSERT_EQ(core.lease.count, redis.lease.count) << what;
  for (int i = 0; i < core.lease.count; ++i) {
    EXPECT_TRUE(core.lease.blocks[i] == redis.lease.blocks[i]) << what << " lease slot " << i;
  }
  // The calendar quotas an admission may warn about: Redis lists every one it counted in, the
  // core those at or past their lowest threshold (80 %, every tier's here).
  std::vector<core::LimitState> past_threshold;
  for (int i = 0; i < redis.calendar_count; ++i) {
    const core::LimitState& s = redis.calendar[i];
    if (uint64_t{s.used} * 100 >= uint64_t{80} * s.limit.amount) past_threshold.push_back(s);
  }
  ASSERT_EQ(static_cast<size_t>(core.calendar_count), past_threshold.size()) << what;
  for (int i = 0; i < core.calendar_count; ++i) {
    expect_same_state(core.calendar[i], past_threshold[i], what + " calendar " + std::to_string(i));
  }
}

// What the node's refusal note keeps: the same admissions; a noted refusal names the limit
// Redis named then, with its wait counted down, so when another limit has since become the
// one that frees last (another check took the last concurrency slot), its Retry-After is
// that earlier limit's: never later than Redis's, and the client is refused again if early.
void expect_same_answer(const core::Decision& core, const core::Decision& redis,
                        const std::string& what) {
  ASSERT_EQ(core.allowed, redis.allowed) << what;
  ASSERT_EQ(core.has_deciding, redis.has_deciding) << what;
  if (core.allowed || !core.has_deciding) return;
  if (core.deciding.limit.rule_id == redis.deciding.limit.rule_id &&
      core.deciding.limit.kind == redis.deciding.limit.kind) {
    EXPECT_EQ(core.deciding.retry_after_ms, redis.deciding.retry_after_ms) << what;
  } else if (core.deciding.retry_after_ms >= 0) {
    EXPECT_GE(redis.deciding.retry_after_ms, 0) << what;
    EXPECT_LE(redis.deciding.retry_after_ms, core.deciding.retry_after_ms) << what;
  }
}

// (seed, whether the node keeps its refusal note)
class CountersDifferentialTest : public ::testing::TestWithParam<std::tuple<uint64_t, bool>> {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::create({}, error);
    ASSERT_TRUE(server_) << error;
  }
  std::unique_ptr<testing::RedisServer> server_;
};

TEST_P(CountersDifferentialTest, RedisDecidesAsTheCoreLimiter) {
  const auto [seed, with_note] = GetParam();
  std::mt19937_64 rng(seed);
  auto in = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto rules = random_rules(rng);
  core::Limiter limiter(rules, {});
  core::LocalCounters local(limiter);
  testing::HiredisCaller caller(server_->port());
  // Leases that outlive the run: the core's slots never lapse.
  RedisCounterBackend redis(caller, limiter,
                            {.lease_ttl_ms = int64_t{1} << 50,
                             .note_capacity = with_note ? size_t{1000} : 0,
                             .time_from_node = true});
  bool loaded = false;
  redis.load([&](bool ok) { loaded = ok; });
  ASSERT_TRUE(loaded);

  // Saturday 2026-03-28 in Berlin, the day before summer time: days of 24 and 23 hours.
  int64_t now_ms = 1774652400000 + in(0, 86'400'000);
  auto instant = [&] {
    return core::Instant{core::MonoTime(std::chrono::milliseconds(now_ms)),
                         core::WallTime(std::chrono::milliseconds(now_ms))};
  };
  const uint32_t costs[] = {0, 1, 1, 1, 1, 2, 3};
  std::vector<std::pair<core::Lease, core::Lease>> held;  // (core's, Redis's)
  int admitted = 0, refused = 0;
  for (int step = 0; step < 1500; ++step) {
    const std::string what = "seed " + std::to_string(seed) + (with_note ? " noting" : "") +
                             " step " + std::to_string(step);
    const int64_t dice = in(0, 99);
    if (dice < 60) {
      core::CheckRequest req{kPrincipals[in(0, kPrincipals.size() - 1)],
                             static_cast<core::CommandTypeId>(in(0, 2)), costs[in(0, 6)]};
      core::CheckResult mine, theirs;
      local.check(req, instant(), [&](const core::CheckResult& r) { mine = r; });
      redis.check(req, instant(), [&](const core::CheckResult& r) { theirs = r; });
      ASSERT_TRUE(theirs.decided) << what;
      if (with_note) {
        expect_same_answer(mine.decision, theirs.decision, what);
      } else {
        expect_same(mine.decision, theirs.decision, what);
      }
      if (HasFatalFailure()) return;
      (mine.decision.allowed ? admitted : refused)++;
      if (mine.decision.lease.count > 0)
        held.emplace_back(mine.decision.lease, theirs.decision.lease);
    } else if (dice < 70 && !held.empty()) {
      const size_t i = in(0, held.size() - 1);
      local.release(held[i].first);
      redis.release(held[i].second);
      held.erase(held.begin() + i);
    } else if (dice < 72 && !held.empty()) {
      redis.renew(held[in(0, held.size() - 1)].second, instant());
    } else if (dice < 75) {
      core::CheckRequest req{kPrincipals[in(0, kPrincipals.size() - 1)],
                             static_cast<core::CommandTypeId>(in(0, 2)),
                             static_cast<uint32_t>(in(1, 3))};
      const int64_t at_ms = now_ms - in(0, 36 * 3'600'000);
      local.restore(req, at_ms, instant());
      redis.restore(req, at_ms, instant());
    } else {
      const int64_t scale = in(0, 9);
      now_ms += scale < 6   ? in(0, 200)
                : scale < 8 ? in(0, 3000)
                : scale < 9 ? in(0, 600'000)
                            : in(0, 30 * 3'600'000);
    }
  }
  EXPECT_GT(admitted, 50);
  EXPECT_GT(refused, 50);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CountersDifferentialTest,
                         ::testing::Combine(::testing::Range<uint64_t>(1, 13), ::testing::Bool()));

}  // namespace
}  // namespace gaia::cluster::redis
