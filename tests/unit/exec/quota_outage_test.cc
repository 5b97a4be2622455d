// QuotaCheck when the counters cannot answer in time: the outage policy decides (closed
// refuses with Retry-After and records nothing, open admits, local counts a share of every
// limit in the node's own limiter), the strictest of the check's rules' where they name one. The
// counters here stand in for a Redis that is away: they answer every check undecided, as
// cluster/redis's backend does past its deadline.

#include <gtest/gtest.h>

#include "exec/quota_check.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"
#include "unit/core/test_rules.h"

namespace gaia::exec {
namespace {

class Unanswered final : public core::CounterBackend {
 public:
  void check(const core::CheckRequest&, core::Instant, CheckDone done) override {
    core::CheckResult result;
    result.decided = false;
    done(result);
  }
  void renew(const core::Lease&, core::Instant) override {}
  void release(const core::Lease&) override {}
  void restore(const core::CheckRequest&, int64_t, core::Instant) override {}
  void peek(const core::Principal&, core::Instant, PeekDone done) override { done(std::nullopt); }
};

class Quiet final : public CheckObserver {
 public:
  void checked(std::string_view, bool, std::string_view, double) override {}
};

class QuotaOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened.value());
    // User 1 may run 3 shell commands a day.
    limiter_ = std::make_unique<core::Limiter>(
        testing::compile_or_die(
            {testing::rule_for(testing::user_subject(1), "shell",
                               {core::LimitSpec::calendar(3, core::CalendarPeriod::kDay)})}),
        core::LimiterOptions{});
  }

  // User 1's shell rules become `rules`.
  void use_rules(std::vector<core::Rule> rules) {
    limiter_->set_rules(testing::compile_or_die(std::move(rules)));
  }
  static core::Rule shell_rule(core::Subject subject, core::LimitSpec limit,
                               core::OutagePolicy outage,
                               core::Enforcement enforcement = core::Enforcement::kEnforce) {
    core::Rule rule = testing::rule_for(subject, "shell", {limit});
    rule.outage = outage;
    rule.enforcement = enforcement;
    return rule;
  }
  QuotaCheck quota(QuotaCheckOptions options) {
    return QuotaCheck(*limiter_, away_, *store_, clock_, observer_, std::move(options));
  }
  QuotaAnswer check(QuotaCheck& quota) {
    return quota.check({.rules = limiter_->rules(),
                        .user_id = 1,
                        .key_id = 7,
                        .principal = {1, 7, core::Tier::kDefault},
                        .type = testing::kShell,
                        .cost = 1,
                        .command = "make"});
  }
  int admitted(QuotaCheck& quota, int attempts) {
    int n = 0;
    for (int i = 0; i < attempts; ++i) n += check(quota).admitted();
    return n;
  }
  uint64_t stored_usage() {
    EXPECT_TRUE(store_->flush().ok());
    auto rows = store_->usage_since(0);
    EXPECT_TRUE(rows.ok());
    uint64_t used = 0;
    for (const store::Usage& u : rows.value()) used += u.used;
    return used;
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<core::Limiter> limiter_;
  Unanswered away_;
  Quiet observer_;
};

TEST_F(QuotaOutageTest, ClosedRefusesWithRetryAfterAndRecordsNothing) {
  QuotaCheck closed = quota({.outage = core::OutagePolicy::kClosed});
  QuotaAnswer a = check(closed);
  EXPECT_EQ(a.outcome, QuotaOutcome::kCountersUnavailable);
  EXPECT_EQ(a.retry_after_s, kCountersUnavailableRetryAfterS);
  EXPECT_FALSE(a.admitted());
  EXPECT_EQ(stored_usage(), 0u);
  auto violations = store_->list_violations({});
  ASSERT_TRUE(violations.ok());
  EXPECT_TRUE(violations.value().empty());
}

TEST_F(QuotaOutageTest, OpenAdmitsAndRecordsTheUsage) {
  QuotaCheck open = quota({.outage = core::OutagePolicy::kOpen});
  EXPECT_EQ(admitted(open, 5), 5);
  EXPECT_EQ(stored_usage(), 5u);
}

TEST_F(QuotaOutageTest, LocalCountsTheWholeLimitOnOneNode) {
  QuotaCheck local = quota({.outage = core::OutagePolicy::kLocal});
  EXPECT_EQ(admitted(local, 5), 3);
}

TEST_F(QuotaOutageTest, LocalCountsItsShareOfTheLimitAmongLiveNodes) {
  QuotaCheck local = quota({.outage = core::OutagePolicy::kLocal, .live_nodes = [] { return 3u; }});
  EXPECT_EQ(admitted(local, 5), 1);  // 3 a day over 3 nodes
}

TEST_F(QuotaOutageTest, ARuleThatSaysOpenAdmitsWhereTheNodeSaysClosed) {
  use_rules({shell_rule(testing::user_subject(1),
                        core::LimitSpec::calendar(3, core::CalendarPeriod::kDay),
                        core::OutagePolicy::kOpen)});
  QuotaCheck closed = quota({.outage = core::OutagePolicy::kClosed});
  EXPECT_EQ(admitted(closed, 5), 5);
}

TEST_F(QuotaOutageTest, ARuleThatSaysClosedRefusesWhereTheNodeSaysOpen) {
  use_rules({shell_rule(testing::user_subject(1),
                        core::LimitSpec::calendar(3, core::CalendarPeriod::kDay),
                        core::OutagePolicy::kClosed)});
  QuotaCheck open = quota({.outage = core::OutagePolicy::kOpen});
  EXPECT_EQ(check(open).outcome, QuotaOutcome::kCountersUnavailable);
  EXPECT_EQ(stored_usage(), 0u);
}

TEST_F(QuotaOutageTest, TheStrictestRuleOfTheCheckDecides) {
  // Open for the day's quota, local for the minute's window: local, so the day's 3 hold.
  use_rules({shell_rule(testing::user_subject(1),
                        core::LimitSpec::calendar(3, core::CalendarPeriod::kDay),
                        core::OutagePolicy::kOpen),
             shell_rule({}, core::LimitSpec::rate(100, std::chrono::minutes(1)),
                        core::OutagePolicy::kLocal)});
  QuotaCheck open = quota({.outage = core::OutagePolicy::kOpen});
  EXPECT_EQ(admitted(open, 5), 3);
}

TEST_F(QuotaOutageTest, ARuleWithoutAPolicyOfItsOwnTakesTheNodes) {
  // The node's closed is stricter than the other rule's open.
  use_rules({shell_rule(testing::user_subject(1),
                        core::LimitSpec::calendar(3, core::CalendarPeriod::kDay),
                        core::OutagePolicy::kOpen),
             shell_rule({}, core::LimitSpec::rate(100, std::chrono::minutes(1)),
                        core::OutagePolicy::kDefault)});
  QuotaCheck closed = quota({.outage = core::OutagePolicy::kClosed});
  EXPECT_EQ(check(closed).outcome, QuotaOutcome::kCountersUnavailable);
}

TEST_F(QuotaOutageTest, AShadowRulesPolicyDoesNotDecide) {
  use_rules({shell_rule(testing::user_subject(1),
                        core::LimitSpec::calendar(3, core::CalendarPeriod::kDay),
                        core::OutagePolicy::kOpen),
             shell_rule({}, core::LimitSpec::rate(100, std::chrono::minutes(1)),
                        core::OutagePolicy::kClosed, core::Enforcement::kShadow)});
  QuotaCheck closed = quota({.outage = core::OutagePolicy::kClosed});
  EXPECT_EQ(admitted(closed, 5), 5);
}

}  // namespace
}  // namespace gaia::exec
