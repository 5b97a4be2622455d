// Each detector on synthetic histories written as aggregate rows to a real store.

#include "analytics/detectors.h"

#include <gtest/gtest.h>

#include "backend_fixture.h"

namespace gaia::analytics {
namespace {

using store::Granularity;

constexpr int64_t kWeek = 7 * 24 * kHour;

std::string name_of(uint64_t id) {
  switch (id) {
    case 1:
      return "spiky";
    case 2:
      return "steady";
    case 3:
      return "quiet";
    default:
      return std::to_string(id);
  }
}

class DetectorsTest : public BackendTest {
 protected:
  // `count` requests of `user` in the hour starting at `hour` (all in its first minute).
  void hour_of(uint64_t user, int64_t hour, uint64_t count, std::string outcome = "admitted",
               std::string limit = "", std::string type = "shell") {
    store::AggregateRow r;
    r.granularity = Granularity::kHour;
    r.bucket_start_ms = hour;
    r.user_id = user;
    r.key_id = user * 10;
    r.type = std::move(type);
    r.outcome = std::move(outcome);
    r.limit = std::move(limit);
    r.count = count;
    r.cost = count;
    // As a flush writes them: the same figures in the minute, hour and day that hold them.
    store::AggregateRow minute = r, day = r;
    minute.granularity = Granularity::kMinute;
    day.granularity = Granularity::kDay;
    day.bucket_start_ms = Buckets(new_york()).start(Granularity::kDay, hour);
    ASSERT_TRUE(store_->add_aggregates({minute, r, day}).ok());
  }
  Detectors detectors(const ReputationSource* rep = nullptr, const QuotaSource* q = nullptr) {
    return Detectors(*store_, Buckets(new_york()), name_of, rep, q);
  }
  const int64_t hour_ = kT0 + 15 * kHour;  // a Monday afternoon
};

INSTANTIATE_TEST_SUITE_P(Backends, DetectorsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

TEST_P(DetectorsTest, ASpikeAboveTheUsersOwnBaselineIsFoundAndTheOthersAreNot) {
  for (int k = 1; k <= 4; ++k) {
    hour_of(1, hour_ - k * kWeek, 10 + k % 2);    // spiky: about 10 an hour
    hour_of(2, hour_ - k * kWeek, 500 + 10 * k);  // steady and heavy: 510..540
    hour_of(3, hour_ - k * kWeek, k % 2);         // quiet: 0 or 1
  }
  hour_of(1, hour_, 100);  // ten times its usual
  hour_of(2, hour_, 560);  // heavy, but as usual
  hour_of(3, hour_, 12);   // far above its own baseline, but only 12 requests
  auto found = detectors().spikes({.hour_start_ms = hour_});
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->items.size(), 1u);
  const Finding& f = found->items[0];
  EXPECT_EQ(f.user, "spiky");
  EXPECT_EQ(f.at_ms, hour_);
  EXPECT_GT(f.value, 3.5);
  EXPECT_NE(f.explanation.find("median of 10.5"), std::string::npos) << f.explanation;
}

TEST_P(DetectorsTest, TrendComparesWithThePreviousRangePerTypeAndUser) {
  hour_of(1, hour_ - 2 * kHour, 100);  // previous range
  hour_of(1, hour_, 150);              // current range
  hour_of(2, hour_, 40, "admitted", "", "code");
  auto found = detectors().trend({.from_ms = hour_ - kHour, .to_ms = hour_ + kHour});
  ASSERT_TRUE(found.ok());
  const Finding* shell = nullptr;
  const Finding* spiky = nullptr;
  for (const Finding& f : found->items) {
    if (f.scope == "type" && f.type == "shell") shell = &f;
    if (f.scope == "user" && f.user == "spiky") spiky = &f;
  }
  ASSERT_NE(shell, nullptr);
  ASSERT_NE(spiky, nullptr);
  EXPECT_EQ(shell->value, 50);
  EXPECT_NE(shell->explanation.find("up 50 %"), std::string::npos) << shell->explanation;
  EXPECT_EQ(found->items[0].type, "shell");  // the largest change first
}

class FixedReputation : public ReputationSource {
 public:
  std::optional<ReputationMove> movement(std::string_view user, int64_t) const override {
    if (user == "spiky") return ReputationMove{70, 41.5};
    return std::nullopt;
  }
};

TEST_P(DetectorsTest, RepeatViolatorsAreThoseRefusedMoreThanNTimes) {
  hour_of(1, hour_, 8, "refused", "calendar:day:500");
  hour_of(1, hour_ + kHour, 5, "refused", "window:60s:10");
  hour_of(2, hour_, 10, "refused", "calendar:day:500");  // exactly N: not more than N
  FixedReputation rep;
  auto found =
      detectors(&rep).violators({.from_ms = hour_, .to_ms = hour_ + 2 * kHour, .min_refusals = 10});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->items.size(), 1u);
  const Finding& f = found->items[0];
  EXPECT_EQ(f.user, "spiky");
  EXPECT_EQ(f.value, 13);
  EXPECT_NE(f.explanation.find("calendar:day:500 (8)"), std::string::npos) << f.explanation;
  EXPECT_NE(f.explanation.find("from 70 to 41.5"), std::string::npos) << f.explanation;
}

class FixedQuotas : public QuotaSource {
 public:
  explicit FixedQuotas(std::vector<QuotaUse> q) : q_(std::move(q)) {}
  std::vector<QuotaUse> calendar_quotas(int64_t) const override { return q_; }

 private:
  std::vector<QuotaUse> q_;
};

TEST_P(DetectorsTest, ForecastFindsQuotasThatRunOutBeforeTheyReset) {
  const int64_t now = hour_ + kHour;
  // Both used 60 an hour in the last hour (one minute row each).
  for (uint64_t user : {1, 2}) {
    store::AggregateRow r;
    r.granularity = Granularity::kMinute;
    r.bucket_start_ms = now - 30 * kMin;
    r.user_id = user;
    r.type = "shell";
    r.outcome = "admitted";
    r.count = 60;
    r.cost = 60;
    ASSERT_TRUE(store_->add_aggregates({r}).ok());
  }
  FixedQuotas quotas({{1, "shell", "day", 500, 380, now + 4 * kHour},    // out in 2 h
                      {2, "shell", "day", 500, 100, now + 4 * kHour}});  // needs 6.7 h
  auto found = detectors(nullptr, &quotas).forecast({.now_ms = now});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->items.size(), 1u);
  const Finding& f = found->items[0];
  EXPECT_EQ(f.user, "spiky");
  EXPECT_EQ(f.at_ms, now + 2 * kHour);
  EXPECT_EQ(f.value, 2);
  EXPECT_NE(f.explanation.find("2 h 0 min before it resets"), std::string::npos) << f.explanation;
}

TEST_P(DetectorsTest, TopConsumersOfCpuAndMemoryPerType) {
  run("a", 1, "shell", hour_, 100, 9000, 1 << 20, 0);
  run("b", 2, "shell", hour_, 100, 1000, 8 << 20, 1);
  run("c", 3, "code", hour_, 100, 50, 1 << 10, 0);
  ASSERT_TRUE(rollup_->flush().ok());
  auto found = detectors().top({.from_ms = hour_, .to_ms = hour_ + kHour, .per_type = 1});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->items.size(), 4u);  // code: cpu, memory; shell: cpu, memory
  const Finding& shell_cpu = found->items[2];
  EXPECT_EQ(shell_cpu.scope, "cpu");
  EXPECT_EQ(shell_cpu.user, "spiky");
  EXPECT_EQ(shell_cpu.value, 9000);
  EXPECT_NE(shell_cpu.explanation.find("90 %"), std::string::npos) << shell_cpu.explanation;
  const Finding& shell_memory = found->items[3];
  EXPECT_EQ(shell_memory.scope, "memory");
  EXPECT_EQ(shell_memory.user, "steady");
  EXPECT_NE(shell_memory.explanation.find("8 MiB"), std::string::npos);
}

}  // namespace
}  // namespace gaia::analytics
