// QuotaCheck when the counters cannot answer in time: the outage policy decides (closed
// refuses with Retry-After and records nothing, open admits, local counts a share of every
// limit in the node's own limiter). The counters here stand in for a Redis that is away: they
// answer every check undecided, as cluster/redis's backend does past its deadline.

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
  QuotaCheck closed = quota({.outage = CounterOutage::kClosed});
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
  QuotaCheck open = quota({.outage = CounterOutage::kOpen});
  EXPECT_EQ(admitted(open, 5), 5);
  EXPECT_EQ(stored_usage(), 5u);
}

TEST_F(QuotaOutageTest, LocalCountsTheWholeLimitOnOneNode) {
  QuotaCheck local = quota({.outage = CounterOutage::kLocal});
  EXPECT_EQ(admitted(local, 5), 3);
}

TEST_F(QuotaOutageTest, LocalCountsItsShareOfTheLimitAmongLiveNodes) {
  QuotaCheck local = quota({.outage = CounterOutage::kLocal, .live_nodes = [] { return 3u; }});
  EXPECT_EQ(admitted(local, 5), 1);  // 3 a day over 3 nodes
}

}  // namespace
}  // namespace gaia::exec
