// AlertMetrics: refusals and admissions counted from the store's events per user, per type
// and in all over five minutes; figures read from the executor's status, the store's health,
// the shared counters and running totals.

#include "app/alert_metrics.h"

#include <gtest/gtest.h>

#include "samples_by_key.h"
#include "support/manual_clock.h"

namespace gaia::app {
namespace {

using alerts::Sample;
using alerts::ScopeKind;
using namespace std::chrono_literals;

class AlertMetricsTest : public ::testing::Test {
 protected:
  AlertMetricsTest() {
    AlertMetricSources s;
    s.user_name = [](uint64_t id) -> std::optional<std::string> {
      if (id == 99) return std::nullopt;  // deleted since
      return "user" + std::to_string(id);
    };
    s.executor = [this] { return executor_; };
    s.ws_drops = [this] { return drops_; };
    metrics_ = std::make_unique<AlertMetrics>(clock_, std::move(s));
  }
  int64_t now_ms() const { return core::to_ms(clock_.now().wall); }
  void refuse(uint64_t user, const std::string& type, int n) {
    for (int i = 0; i < n; ++i)
      metrics_->on_violation({user, 1, type, "rate:minute:5", "", now_ms()});
  }
  void admit(uint64_t user, const std::string& type, uint64_t units) {
    metrics_->on_usage({user, 1, type, 0, units}, now_ms());
  }

  testing::ManualClock clock_;
  boost::json::object executor_;
  uint64_t drops_ = 0;
  std::unique_ptr<AlertMetrics> metrics_;
};

TEST_F(AlertMetricsTest, RefusalsPerMinuteOverFiveMinutesByScope) {
  refuse(1, "shell", 20);
  clock_.advance(2min);
  refuse(2, "code", 10);
  refuse(99, "code", 5);  // counted in all and by type, not by a user without a name
  EXPECT_EQ(samples_by_key(*metrics_, "violation_rate", ScopeKind::kGlobal),
            (std::map<std::string, double>{{"", 7.0}}));  // 35 refusals / 5 minutes
  EXPECT_EQ(samples_by_key(*metrics_, "violation_rate", ScopeKind::kUser),
            (std::map<std::string, double>{{"user1", 4.0}, {"user2", 2.0}}));
  EXPECT_EQ(samples_by_key(*metrics_, "violation_rate", ScopeKind::kType),
            (std::map<std::string, double>{{"code", 3.0}, {"shell", 4.0}}));
  // Four minutes on, user1's refusals have left the window.
  clock_.advance(4min);
  EXPECT_EQ(samples_by_key(*metrics_, "violation_rate", ScopeKind::kUser),
            (std::map<std::string, double>{{"user2", 2.0}}));
  clock_.advance(2min);
  EXPECT_TRUE(samples_by_key(*metrics_, "violation_rate", ScopeKind::kUser).empty());
  EXPECT_EQ(samples_by_key(*metrics_, "violation_rate", ScopeKind::kGlobal).at(""), 0.0);
}

TEST_F(AlertMetricsTest, RefusalShareAgainstAdmittedUnits) {
  admit(1, "shell", 30);
  refuse(1, "shell", 10);
  admit(2, "test", 10);
  EXPECT_EQ(samples_by_key(*metrics_, "refusal_share", ScopeKind::kGlobal).at(""), 20.0);
  auto by_user = samples_by_key(*metrics_, "refusal_share", ScopeKind::kUser);
  EXPECT_EQ(by_user.at("user1"), 25.0);
  EXPECT_EQ(by_user.at("user2"), 0.0);
}

TEST_F(AlertMetricsTest, ExecutorFiguresAndRunningTotals) {
  EXPECT_TRUE(samples_by_key(*metrics_, "cpu_pct", ScopeKind::kGlobal).empty());  // not known yet
  executor_ = {{"cpu_pct", 91.5},
               {"mem_pct", 40.0},
               {"throttle_factor", 0.6},
               {"queued", {{"enterprise", 1}, {"premium", 2}, {"default", 4}}}};
  EXPECT_EQ(samples_by_key(*metrics_, "cpu_pct", ScopeKind::kGlobal).at(""), 91.5);
  EXPECT_EQ(samples_by_key(*metrics_, "memory_pct", ScopeKind::kGlobal).at(""), 40.0);
  EXPECT_EQ(samples_by_key(*metrics_, "throttle_factor", ScopeKind::kGlobal).at(""), 0.6);
  EXPECT_EQ(samples_by_key(*metrics_, "queue_length", ScopeKind::kGlobal).at(""), 7.0);
  drops_ = 5;
  EXPECT_EQ(samples_by_key(*metrics_, "ws_drops", ScopeKind::kGlobal).at(""), 5.0);
  drops_ = 12;
  EXPECT_EQ(samples_by_key(*metrics_, "ws_drops", ScopeKind::kGlobal).at(""),
            7.0);  // since the last
  EXPECT_TRUE(samples_by_key(*metrics_, "detector_spikes", ScopeKind::kUser).empty());  // not wired
}

TEST_F(AlertMetricsTest, CountersReachableIsOneInMemoryAndFollowsTheSharedCounters) {
  EXPECT_EQ(samples_by_key(*metrics_, "counters_reachable", ScopeKind::kGlobal).at(""), 1.0);
  bool up = true;
  AlertMetricSources s;
  s.counters_reachable = [&up] { return up; };
  AlertMetrics shared(clock_, std::move(s));
  EXPECT_EQ(samples_by_key(shared, "counters_reachable", ScopeKind::kGlobal).at(""), 1.0);
  up = false;
  EXPECT_EQ(samples_by_key(shared, "counters_reachable", ScopeKind::kGlobal).at(""), 0.0);
  EXPECT_TRUE(samples_by_key(shared, "counters_reachable", ScopeKind::kUser).empty());
}

TEST_F(AlertMetricsTest, TopUsersAreTheBusiestOfTheLastFiveMinutes) {
  admit(1, "shell", 3);
  clock_.advance(6min);  // user 1's checks leave the window
  admit(2, "shell", 4);
  refuse(2, "shell", 1);
  admit(3, "code", 9);
  admit(4, "code", 2);
  std::vector<AlertMetrics::UserActivity> top = metrics_->top_users(2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].user_id, 3u);
  EXPECT_EQ(top[0].admitted, 9u);
  EXPECT_EQ(top[1].user_id, 2u);
  EXPECT_EQ(top[1].admitted, 4u);
  EXPECT_EQ(top[1].refused, 1u);
  EXPECT_EQ(metrics_->top_users(10).size(), 3u);  // not user 1
}

}  // namespace
}  // namespace gaia::app
