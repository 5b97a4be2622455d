#include "exec/quota_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"
#include "unit/core/test_rules.h"

namespace gaia::exec {
namespace {

using testing::kShell;

// Remembers what it is told, as the service metrics would count it.
class RecordingObserver : public CheckObserver {
 public:
  struct Seen {
    std::string type;
    bool admitted;
    std::string limit;
  };
  void checked(std::string_view type, bool admitted, std::string_view limit, double) override {
    seen.push_back({std::string(type), admitted, std::string(limit)});
  }
  std::vector<Seen> seen;
};

class QuotaCheckTest : public ::testing::Test {
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
    quota_ = std::make_unique<QuotaCheck>(*limiter_, *store_, clock_, observer_);
  }

  QuotaAnswer check(uint32_t cost = 1) {
    QuotaRequest req;
    req.rules = limiter_->rules();
    req.user_id = 1;
    req.key_id = 7;
    req.principal = {1, 7, core::Tier::kDefault};
    req.type = kShell;
    req.cost = cost;
    req.command = "make";
    return quota_->check(req);
  }

  uint64_t stored_usage() {
    EXPECT_TRUE(store_->flush().ok());
    auto rows = store_->usage_since(0);
    EXPECT_TRUE(rows.ok());
    uint64_t used = 0;
    for (const store::Usage& u : rows.value()) used += u.used;
    return used;
  }

  std::vector<store::ViolationRecord> stored_violations() {
    EXPECT_TRUE(store_->flush().ok());
    auto rows = store_->list_violations({});
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows.value() : std::vector<store::ViolationRecord>{};
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<core::Limiter> limiter_;
  RecordingObserver observer_;
  std::unique_ptr<QuotaCheck> quota_;
};

TEST_F(QuotaCheckTest, AnAdmissionConsumesAndIsRecordedAsUsage) {
  QuotaAnswer a = check(2);
  EXPECT_EQ(a.outcome, QuotaOutcome::kAdmitted);
  EXPECT_EQ(a.decision.deciding.remaining, 1u);
  EXPECT_EQ(a.retry_after_s, -1);
  EXPECT_EQ(stored_usage(), 2u);
  EXPECT_TRUE(stored_violations().empty());
  ASSERT_EQ(observer_.seen.size(), 1u);
  EXPECT_EQ(observer_.seen[0].type, "shell");
  EXPECT_TRUE(observer_.seen[0].admitted);
  EXPECT_EQ(observer_.seen[0].limit, "shell-day");
}

TEST_F(QuotaCheckTest, ARefusalIsAViolationWithRetryAfterAndConsumesNothing) {
  check(3);
  QuotaAnswer a = check(1);
  EXPECT_EQ(a.outcome, QuotaOutcome::kRefused);
  EXPECT_GE(a.retry_after_s, 1);
  auto violations = stored_violations();
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].violation.limit, "shell-day");
  EXPECT_EQ(violations[0].violation.command, "make");
  EXPECT_EQ(violations[0].violation.key_id, 7u);
  EXPECT_EQ(stored_usage(), 3u);
  EXPECT_FALSE(observer_.seen.back().admitted);
}

TEST_F(QuotaCheckTest, CostZeroReadsTheLimitsWithoutConsumingOrRecording) {
  check(1);
  QuotaAnswer a = check(0);
  EXPECT_EQ(a.outcome, QuotaOutcome::kAdmitted);
  EXPECT_EQ(a.decision.deciding.remaining, 2u);
  EXPECT_EQ(check(1).decision.deciding.remaining, 1u);
  EXPECT_EQ(stored_usage(), 2u);
}

// Warnings: the rule gives 3 a day, so the third admission (100 %) passes both default
// thresholds at once and warns for the higher.
TEST_F(QuotaCheckTest, AQuotaPastAThresholdWarnsOnceAPeriodAndARefusalNever) {
  EXPECT_TRUE(check().warnings.empty());
  EXPECT_TRUE(check().warnings.empty());
  QuotaAnswer third = check();
  ASSERT_EQ(third.warnings.size(), 1u);
  EXPECT_EQ(third.warnings[0].threshold_pct, 95);
  EXPECT_EQ(third.warnings[0].state.used, 3u);
  QuotaAnswer refused = check();
  EXPECT_EQ(refused.outcome, QuotaOutcome::kRefused);
  EXPECT_TRUE(refused.warnings.empty());

  clock_.advance(std::chrono::hours(24));  // a new day: each threshold may be told again
  check(2);
  QuotaAnswer again = check();
  ASSERT_EQ(again.warnings.size(), 1u);
  EXPECT_EQ(again.warnings[0].threshold_pct, 95);
}

// Each quota an admission takes past a threshold warns, not only the one nearest its end: here
// the concurrency limit is nearer its end than either calendar quota until the last check.
TEST_F(QuotaCheckTest, EveryQuotaPastAThresholdWarnsNotOnlyTheOneNearestItsEnd) {
  quota_.reset();
  limiter_ = std::make_unique<core::Limiter>(
      testing::compile_or_die(
          {testing::rule_for(testing::user_subject(1), "shell",
                             {core::LimitSpec::calendar(10, core::CalendarPeriod::kDay),
                              core::LimitSpec::calendar(12, core::CalendarPeriod::kMonth),
                              core::LimitSpec::concurrency(2)})}),
      core::LimiterOptions{});
  quota_ = std::make_unique<QuotaCheck>(*limiter_, *store_, clock_, observer_);
  auto told = [](const QuotaAnswer& a) {
    std::vector<std::string> out;
    for (const QuotaWarning& w : a.warnings) {
      out.push_back(std::string(core::period_name(w.state.limit.period)) + " " +
                    std::to_string(w.threshold_pct));
    }
    return out;
  };
  for (int i = 1; i <= 7; ++i) EXPECT_TRUE(check().warnings.empty()) << i;
  QuotaAnswer eighth = check();
  EXPECT_EQ(eighth.decision.deciding.limit.kind, core::LimitKind::kConcurrency);
  EXPECT_EQ(told(eighth), (std::vector<std::string>{"day 80"}));
  EXPECT_TRUE(check().warnings.empty());
  EXPECT_EQ(told(check()), (std::vector<std::string>{"day 95", "month 80"}));
}

// Nodes that share counters each run a check of their own: the admission that crosses a
// threshold is told, whichever check admits it, and no other.
TEST_F(QuotaCheckTest, ChecksOnSharedCountersTellEachThresholdOnce) {
  quota_.reset();
  limiter_ = std::make_unique<core::Limiter>(
      testing::compile_or_die(
          {testing::rule_for(testing::user_subject(1), "shell",
                             {core::LimitSpec::calendar(10, core::CalendarPeriod::kDay)})}),
      core::LimiterOptions{});
  QuotaCheck one(*limiter_, *store_, clock_, observer_);
  QuotaCheck other(*limiter_, *store_, clock_, observer_);
  QuotaRequest req;
  req.rules = limiter_->rules();
  req.user_id = 1;
  req.principal = {1, 7, core::Tier::kDefault};
  req.type = kShell;
  std::vector<int> told;
  for (int i = 1; i <= 10; ++i) {
    QuotaAnswer a = (i % 2 == 0 ? one : other).check(req);
    for (const QuotaWarning& w : a.warnings) told.push_back(i * 1000 + w.threshold_pct);
  }
  EXPECT_EQ(told, (std::vector<int>{8080, 10095}));
}

TEST_F(QuotaCheckTest, ATiersThresholdsApplyToARuleThatSetsNone) {
  QuotaWarnings::TierThresholds tiers = QuotaWarnings::kDefaultTierThresholds;
  tiers[static_cast<int>(core::Tier::kDefault)] = {30, 60, 0, 0};
  quota_ = std::make_unique<QuotaCheck>(*limiter_, *store_, clock_, observer_,
                                        QuotaCheckOptions{.warn_at = tiers});
  EXPECT_EQ(check().warnings.at(0).threshold_pct, 30);  // 1 of 3
  EXPECT_EQ(check().warnings.at(0).threshold_pct, 60);  // 2 of 3
  EXPECT_TRUE(check().warnings.empty());
}

// Tells every check what a loaded machine asks of it.
class FixedLoad : public LoadSignal {
 public:
  explicit FixedLoad(core::Admission a) { notice_.admission = a; }
  std::optional<ThrottleNotice> throttle(core::Tier) const override { return notice_; }

 private:
  ThrottleNotice notice_;
};

TEST_F(QuotaCheckTest, BelowFactorOneTheAdmissionCarriesTheDelay) {
  FixedLoad load(core::admission_for(core::ThrottleConfig{}, 0.6, core::Tier::kDefault));
  quota_->set_load_signal(&load);
  QuotaAnswer a = check();
  EXPECT_EQ(a.outcome, QuotaOutcome::kAdmitted);
  ASSERT_TRUE(a.throttle);
  EXPECT_EQ(a.throttle->admission.delay, std::chrono::milliseconds(400));
  EXPECT_EQ(stored_usage(), 1u);
}

TEST_F(QuotaCheckTest, AtFactorZeroNothingIsCheckedOrConsumed) {
  core::ThrottleConfig refuse;
  refuse.stop_action = core::StopAction::kRefuse;
  FixedLoad refusing(core::admission_for(refuse, 0.0, core::Tier::kDefault));
  quota_->set_load_signal(&refusing);
  QuotaAnswer a = check();
  EXPECT_EQ(a.outcome, QuotaOutcome::kOverloaded);
  EXPECT_EQ(a.retry_after_s, 5);

  FixedLoad waiting(core::admission_for(core::ThrottleConfig{}, 0.0, core::Tier::kDefault));
  quota_->set_load_signal(&waiting);
  a = check();
  EXPECT_EQ(a.outcome, QuotaOutcome::kHeld);
  EXPECT_EQ(a.retry_after_s, 1);

  quota_->set_load_signal(nullptr);
  EXPECT_EQ(check().decision.deciding.remaining, 2u) << "the quota is whole";
  EXPECT_TRUE(observer_.seen.size() == 1u) << "a throttled check is not counted as a check";
  EXPECT_EQ(stored_usage(), 1u);
  EXPECT_TRUE(stored_violations().empty());
}

}  // namespace
}  // namespace gaia::exec
