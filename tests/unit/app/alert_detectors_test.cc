// AlertDetectors: the analytics detectors over real aggregate rows in a SQLite store, read as
// the detector_* alert metrics at each scope.

#include "app/alert_detectors.h"

#include <gtest/gtest.h>

#include "samples_by_key.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::app {
namespace {

using alerts::Sample;
using alerts::ScopeKind;

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;

class FixedQuotas : public analytics::QuotaSource {
 public:
  explicit FixedQuotas(std::vector<analytics::QuotaUse> q) : q_(std::move(q)) {}
  std::vector<analytics::QuotaUse> calendar_quotas(int64_t) const override { return q_; }

 private:
  std::vector<analytics::QuotaUse> q_;
};

class AlertDetectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
  }
  void row(uint64_t user, std::string type, std::string outcome, uint64_t count, int64_t at_ms) {
    store::AggregateRow r;
    r.granularity = store::Granularity::kMinute;
    r.bucket_start_ms = at_ms;
    r.user_id = user;
    r.type = std::move(type);
    r.outcome = std::move(outcome);
    if (r.outcome == "refused") r.limit = "calendar:day:500";
    r.count = count;
    r.cost = count;
    ASSERT_TRUE(store_->add_aggregates({r}).ok());
  }
  int64_t now_ms() const { return core::to_ms(clock_.now().wall); }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(AlertDetectorsTest, ForecastCountsQuotasRunningOutPerUserAndType) {
  clock_.advance(std::chrono::hours(10));
  const int64_t now = now_ms() / kMin * kMin;
  for (uint64_t user : {1, 2}) row(user, "shell", "admitted", 60, now - 30 * kMin);
  FixedQuotas quotas({{1, "shell", "day", 500, 380, now + 4 * kHour},    // out in 2 h
                      {2, "shell", "day", 500, 100, now + 4 * kHour}});  // lasts
  const analytics::Detectors detectors(
      *store_, analytics::Buckets(core::Calendar::utc()),
      [](uint64_t id) { return "user" + std::to_string(id); }, nullptr, &quotas);
  AlertDetectors d(detectors, clock_);
  EXPECT_EQ(samples_by_key(d, "detector_forecast", ScopeKind::kGlobal),
            (std::map<std::string, double>{{"", 1}}));
  EXPECT_EQ(samples_by_key(d, "detector_forecast", ScopeKind::kUser),
            (std::map<std::string, double>{{"user1", 1}}));
  EXPECT_EQ(samples_by_key(d, "detector_forecast", ScopeKind::kType),
            (std::map<std::string, double>{{"shell", 1}}));
}

TEST_F(AlertDetectorsTest, ViolatorsOfTheLastHourWithTheirRefusals) {
  clock_.advance(std::chrono::hours(10));
  const int64_t now = now_ms() / kMin * kMin;
  row(1, "shell", "refused", 25, now - 20 * kMin);
  row(2, "shell", "refused", 3, now - 20 * kMin);   // under the minimum
  row(3, "shell", "refused", 40, now - 3 * kHour);  // outside the hour
  const analytics::Detectors detectors(
      *store_, analytics::Buckets(core::Calendar::utc()),
      [](uint64_t id) { return "user" + std::to_string(id); }, nullptr, nullptr);
  AlertDetectors d(detectors, clock_);
  EXPECT_EQ(samples_by_key(d, "detector_violators", ScopeKind::kUser),
            (std::map<std::string, double>{{"user1", 25}}));
  EXPECT_EQ(samples_by_key(d, "detector_violators", ScopeKind::kGlobal),
            (std::map<std::string, double>{{"", 1}}));
  EXPECT_TRUE(
      samples_by_key(d, "detector_spikes", ScopeKind::kUser).empty());  // no history: no spike
}

}  // namespace
}  // namespace gaia::app
