// Reports from the stored aggregates: grouping, filters, metrics, and the bound on ranges.

#include "analytics/report.h"

#include <gtest/gtest.h>

#include <limits>

#include "backend_fixture.h"

namespace gaia::analytics {
namespace {

using store::Granularity;

std::string name_of(uint64_t id) {
  return id == 1 ? "alice" : id == 2 ? "bob" : std::to_string(id);
}

class ReportTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    admit(1, "shell", 1, kT0 + 4 * kHour + 59 * kMin);
    admit(1, "shell", 2, kT0 + 5 * kHour + 10'000);
    refuse(1, "shell", "calendar:day:500", kT0 + 5 * kHour + 20'000);
    run("e1", 1, "shell", kT0 + 5 * kHour, 100, 40, 1000, 0);
    run("e2", 1, "shell", kT0 + 5 * kHour + 30 * kMin, 300, 60, 3000, 0);
    run("e3", 2, "code", kT0 + 6 * kHour, 200, 50, 2000, 1);
    ASSERT_TRUE(rollup_->flush().ok());
  }
  ReportTable report(const ReportQuery& q) {
    EXPECT_TRUE(validate(q).ok());
    auto t = run_report(*store_, Buckets(new_york()), q, name_of);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() ? t.value() : ReportTable{};
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ReportTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

TEST_P(ReportTest, DaysGroupedByUserFollowTheLocalDay) {
  ReportQuery q;
  q.from_ms = kT0 - 24 * kHour;
  q.to_ms = kT0 + 24 * kHour;
  q.bucket = Granularity::kDay;
  q.group_by = {Dimension::kUser};
  ReportTable t = report(q);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"t_ms", "user", "count", "cost"}));
  const int64_t jan4 = kT0 - 19 * kHour, jan5 = kT0 + 5 * kHour;
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0], (std::vector<Value>{jan4, std::string("alice"), int64_t{1}, int64_t{1}}));
  // alice on Jan 5: one admission of cost 2, one refusal, two executions.
  EXPECT_EQ(t.rows[1], (std::vector<Value>{jan5, std::string("alice"), int64_t{4}, int64_t{2}}));
  EXPECT_EQ(t.rows[2], (std::vector<Value>{jan5, std::string("bob"), int64_t{1}, int64_t{0}}));
}

TEST_P(ReportTest, FiltersAndDurationMetricsOfOneUsersHour) {
  ReportQuery q;
  q.from_ms = kT0 + 5 * kHour;
  q.to_ms = kT0 + 6 * kHour;
  q.bucket = Granularity::kHour;
  q.group_by = {Dimension::kType, Dimension::kOutcome};
  q.user_id = 1;
  q.outcome = "executed";
  q.metrics = {Metric::kCount, Metric::kDuration, Metric::kMemory};
  ReportTable t = report(q);
  EXPECT_EQ(t.columns, (std::vector<std::string>{
                           "t_ms", "type", "outcome", "count", "duration_ms_sum", "duration_ms_p50",
                           "duration_ms_p95", "peak_memory_max", "peak_memory_p95"}));
  ASSERT_EQ(t.rows.size(), 1u);
  const std::vector<Value>& r = t.rows[0];
  EXPECT_EQ(r[0], Value(kT0 + 5 * kHour));
  EXPECT_EQ(r[1], Value(std::string("shell")));
  EXPECT_EQ(r[3], Value(int64_t{2}));
  EXPECT_EQ(r[4], Value(int64_t{400}));
  EXPECT_EQ(r[5], Value(int64_t{100}));  // rank floor(0.5 * 1) = 0 of {100, 300}, within 1 %
  EXPECT_EQ(r[7], Value(int64_t{3000}));
  const int64_t p95 = std::get<int64_t>(r[8]);  // rank 0 again: 1000 within 1 %
  EXPECT_NEAR(p95, 1000, 10);
}

TEST_P(ReportTest, GroupingByKeyAndOutcomeSplitsRefusals) {
  ReportQuery q;
  q.from_ms = kT0;
  q.to_ms = kT0 + 12 * kHour;
  q.bucket = Granularity::kDay;
  q.group_by = {Dimension::kKey, Dimension::kOutcome};
  q.type = "shell";
  ReportTable t = report(q);
  ASSERT_EQ(t.rows.size(), 4u);  // Jan 4 admitted; Jan 5 admitted, executed, refused
  EXPECT_EQ(t.rows[3][1], Value(int64_t{10}));
  EXPECT_EQ(t.rows[3][2], Value(std::string("refused")));
}

TEST_P(ReportTest, ARangeOfManySlicesStreamsItsRowsInOrderAsTheTableHasThem) {
  ReportQuery q;
  q.from_ms = kT0 - 24 * kHour;
  q.to_ms = kT0 + 24 * kHour;  // 2,880 minutes: 45 slices
  q.bucket = Granularity::kMinute;
  q.group_by = {Dimension::kUser, Dimension::kOutcome};
  const ReportTable table = report(q);
  ASSERT_GE(table.rows.size(), 5u);
  std::vector<std::vector<Value>> streamed;
  core::Status s =
      stream_report(*store_, Buckets(new_york()), q, name_of, [&](std::vector<Value> row) {
        streamed.push_back(std::move(row));
        return true;
      });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(streamed, table.rows);
  for (size_t i = 1; i < streamed.size(); ++i) {
    EXPECT_LE(std::get<int64_t>(streamed[i - 1][0]), std::get<int64_t>(streamed[i][0]));
  }
}

TEST_P(ReportTest, AReaderThatGoesAwayStopsTheReport) {
  ReportQuery q;
  q.from_ms = kT0 - 24 * kHour;
  q.to_ms = kT0 + 24 * kHour;
  q.bucket = Granularity::kMinute;
  int rows = 0;
  core::Status s = stream_report(*store_, Buckets(new_york()), q, name_of, [&](std::vector<Value>) {
    ++rows;
    return false;
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(rows, 1);
}

TEST(ReportValidationTest, RangesWhoseBucketCountWouldOverflowAreRefused) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  ReportQuery q;
  q.bucket = Granularity::kDay;
  q.from_ms = 0;
  q.to_ms = kMax;
  EXPECT_FALSE(validate(q).ok());
  q.from_ms = std::numeric_limits<int64_t>::min();
  EXPECT_FALSE(validate(q).ok());
  q.from_ms = kMax - 2 * kHour;  // a short range, but past the year 9999
  EXPECT_FALSE(validate(q).ok());
  q.from_ms = 0;
  q.to_ms = kMaxReportTimeMs;  // 8,000 years of days: a count, not an overflow
  core::Status s = validate(q);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("100000"), std::string::npos) << s.message();
}

TEST(ReportValidationTest, AYearOfMinutesIsRefusedWithTheLimit) {
  ReportQuery q;
  q.from_ms = kT0;
  q.to_ms = kT0 + 365 * 24 * kHour;
  q.bucket = Granularity::kMinute;
  core::Status s = validate(q);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("100000"), std::string::npos) << s.message();
  q.bucket = Granularity::kHour;
  EXPECT_TRUE(validate(q).ok());  // 8,760 hours
  q.to_ms = q.from_ms;
  EXPECT_FALSE(validate(q).ok());
}

}  // namespace
}  // namespace gaia::analytics
