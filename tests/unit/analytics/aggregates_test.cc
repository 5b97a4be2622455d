// Aggregates against a hand-computed set of events across minute, hour and local-day
// boundaries in America/New_York (UTC-5 in January), on both backends; bucket arithmetic in
// zones with DST and half-hour offsets; retention and rebuild from raw rows.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <thread>
#include <tuple>

#include "analytics/interner.h"
#include "analytics/report.h"
#include "analytics/totals.h"
#include "backend_fixture.h"

namespace gaia::analytics {
namespace {

using store::Granularity;

// (bucket, user, outcome) -> (count, cost) of the merged stored rows of granularity `g`.
std::map<std::tuple<int64_t, uint64_t, std::string>, std::pair<uint64_t, uint64_t>> counts(
    store::Store& store, Granularity g) {
  std::map<std::tuple<int64_t, uint64_t, std::string>, std::pair<uint64_t, uint64_t>> out;
  auto rows = store.list_aggregates({g, 0, kT0 * 2});
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  if (!rows.ok()) return out;
  for (const store::AggregateRow& r : rows.value()) {
    auto& c = out[{r.bucket_start_ms, r.user_id, r.outcome}];
    c.first += r.count;
    c.second += r.cost;
  }
  return out;
}

class AggregatesTest : public BackendTest {
 protected:
  // The hand-computed set. Local midnight of 2026-01-05 in New York is 05:00 UTC.
  void record_events() {
    admit(1, "shell", 1, kT0 + 4 * kHour + 59 * kMin + 30'000);  // Jan 4, 23:59:30 local
    admit(1, "shell", 2, kT0 + 5 * kHour + 10'000);              // Jan 5, 00:00:10 local
    refuse(1, "shell", "calendar:day:500", kT0 + 5 * kHour + 50'000);
    ASSERT_TRUE(rollup_->flush().ok());  // a first flush: later rows repeat these buckets
    run("e1", 1, "shell", kT0 + 5 * kHour + 20'000, 100, 40, 1 << 20, 0);
    run("e2", 1, "shell", kT0 + 5 * kHour + 59 * kMin + 59'000, 300, 100, 3 << 20, 1);
    run("e3", 2, "code", kT0 + 6 * kHour, 200, 50, 2 << 20, 0);
    run("e4", 1, "shell", kT0 + 5 * kHour + kMin, 200, 80, 2 << 20, 0);
    ASSERT_TRUE(rollup_->flush().ok());
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, AggregatesTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

const auto* const kPostgresEnv =
    ::testing::AddGlobalTestEnvironment(new testing::PostgresEnvironment);

TEST_P(AggregatesTest, MinuteBucketsHoldWhatHappenedInThem) {
  record_events();
  auto c = counts(*store_, Granularity::kMinute);
  using K = std::tuple<int64_t, uint64_t, std::string>;
  using V = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(c[K(kT0 + 4 * kHour + 59 * kMin, 1, "admitted")], V(1, 1));
  EXPECT_EQ(c[K(kT0 + 5 * kHour, 1, "admitted")], V(1, 2));
  EXPECT_EQ(c[K(kT0 + 5 * kHour, 1, "refused")], V(1, 0));
  EXPECT_EQ(c[K(kT0 + 5 * kHour, 1, "executed")], V(1, 0));
  EXPECT_EQ(c[K(kT0 + 5 * kHour + kMin, 1, "executed")], V(1, 0));
  EXPECT_EQ(c[K(kT0 + 5 * kHour + 59 * kMin, 1, "failed")], V(1, 0));
  EXPECT_EQ(c[K(kT0 + 6 * kHour, 2, "executed")], V(1, 0));
  EXPECT_EQ(c.size(), 7u);
}

TEST_P(AggregatesTest, HourBucketsSplitAtTheHourAndDayBucketsAtLocalMidnight) {
  record_events();
  using K = std::tuple<int64_t, uint64_t, std::string>;
  using V = std::pair<uint64_t, uint64_t>;
  auto h = counts(*store_, Granularity::kHour);
  EXPECT_EQ(h[K(kT0 + 4 * kHour, 1, "admitted")], V(1, 1));
  EXPECT_EQ(h[K(kT0 + 5 * kHour, 1, "admitted")], V(1, 2));
  EXPECT_EQ(h[K(kT0 + 5 * kHour, 1, "executed")], V(2, 0));
  EXPECT_EQ(h[K(kT0 + 5 * kHour, 1, "failed")], V(1, 0));
  EXPECT_EQ(h[K(kT0 + 6 * kHour, 2, "executed")], V(1, 0));
  auto d = counts(*store_, Granularity::kDay);
  const int64_t jan4 = kT0 - 19 * kHour;  // 2026-01-04 00:00 in New York
  const int64_t jan5 = kT0 + 5 * kHour;
  EXPECT_EQ(d[K(jan4, 1, "admitted")], V(1, 1));
  EXPECT_EQ(d[K(jan5, 1, "admitted")], V(1, 2));
  EXPECT_EQ(d[K(jan5, 1, "refused")], V(1, 0));
  EXPECT_EQ(d[K(jan5, 1, "executed")], V(2, 0));
  EXPECT_EQ(d[K(jan5, 1, "failed")], V(1, 0));
  EXPECT_EQ(d[K(jan5, 2, "executed")], V(1, 0));
  EXPECT_EQ(d.size(), 6u);
}

TEST_P(AggregatesTest, CompactionLeavesOneRowPerBucketAndTheSameTotals) {
  record_events();
  admit(1, "shell", 4, kT0 + 5 * kHour + 2 * kMin);  // a third flush repeats Jan 5's admissions
  ASSERT_TRUE(rollup_->flush().ok());
  auto before = store_->list_aggregates({Granularity::kDay, 0, kT0 * 2});
  ASSERT_TRUE(before.ok());
  const auto totals_before = counts(*store_, Granularity::kDay);
  ASSERT_TRUE(rollup_->compact().ok());
  auto after = store_->list_aggregates({Granularity::kDay, 0, kT0 * 2});
  ASSERT_TRUE(after.ok());
  EXPECT_LT(after->size(), before->size());  // the two flushes' admitted rows became one
  EXPECT_EQ(after->size(), 6u);
  EXPECT_EQ(counts(*store_, Granularity::kDay), totals_before);
  EXPECT_EQ(counts(*store_, Granularity::kMinute).size(), 8u);
  using K = std::tuple<int64_t, uint64_t, std::string>;
  EXPECT_EQ(totals_before.at(K(kT0 + 5 * kHour, 1, "admitted")), std::make_pair(2ul, 6ul));
}

TEST_P(AggregatesTest, ExecutionFiguresAddUpAcrossFlushes) {
  record_events();
  auto rows = store_->list_aggregates(
      {Granularity::kHour, kT0 + 5 * kHour, kT0 + 6 * kHour, 1u, std::string("shell")});
  ASSERT_TRUE(rows.ok());
  Totals executed, failed;
  for (const store::AggregateRow& r : rows.value()) {
    Totals& t = r.outcome == "executed" ? executed : failed;
    ASSERT_TRUE(t.merge_row(store::view_of(r)));
  }
  ASSERT_TRUE(executed.exec.has_value());
  EXPECT_EQ(executed.exec->duration_ms_sum, 300);
  EXPECT_EQ(executed.exec->duration_ms_max, 200);
  EXPECT_EQ(executed.exec->cpu_ms_sum, 120);
  EXPECT_EQ(executed.exec->peak_memory_max, 2 << 20);
  EXPECT_EQ(executed.exec->duration.count(), 2u);
  ASSERT_TRUE(failed.exec.has_value());
  EXPECT_EQ(failed.exec->duration_ms_sum, 300);  // a non-zero exit counts as failed
}

TEST_P(AggregatesTest, HugeFiguresSumToTheLargestIntegerNeverToANegative) {
  constexpr int64_t kHuge = INT64_MAX;
  run("big-1", 1, "shell", kT0, kHuge, kHuge, 1, 0);
  run("big-2", 1, "shell", kT0, kHuge, kHuge, 1, 0);  // summed in memory
  ASSERT_TRUE(rollup_->flush().ok());
  run("big-3", 1, "shell", kT0, kHuge, kHuge, 1, 0);  // summed with a stored row
  ASSERT_TRUE(rollup_->flush().ok());
  auto rows = store_->list_aggregates({Granularity::kMinute, 0, kT0 * 2});
  ASSERT_TRUE(rows.ok());
  Totals total;
  for (const store::AggregateRow& r : rows.value()) {
    EXPECT_GE(r.duration_ms_sum, 0);
    EXPECT_GE(r.cpu_ms_sum, 0);
    ASSERT_TRUE(total.merge_row(store::view_of(r)));
  }
  ASSERT_TRUE(total.exec.has_value());
  EXPECT_EQ(total.count, 3u);
  EXPECT_EQ(total.exec->duration_ms_sum, kHuge);
  EXPECT_EQ(total.exec->cpu_ms_sum, kHuge);
}

TEST_P(AggregatesTest, RebuildFromRawRowsGivesTheSameExecutionsAndRefusals) {
  record_events();
  ASSERT_TRUE(store_->flush().ok());  // raw rows durable
  const auto live = counts(*store_, Granularity::kHour);
  // Lose the aggregates of executions and refusals, then rebuild them.
  for (Granularity g : {Granularity::kMinute, Granularity::kHour, Granularity::kDay}) {
    ASSERT_TRUE(
        store_->replace_aggregates({g, 0, kT0 * 2, {"executed", "failed", "refused"}}, {}).ok());
  }
  EXPECT_NE(counts(*store_, Granularity::kHour), live);
  auto stats = rollup_->rebuild(kT0, kT0 + 7 * kHour, kT0 + 8 * kHour);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->executions, 4u);
  EXPECT_EQ(stats->violations, 1u);
  EXPECT_EQ(stats->from_ms, kT0 - 19 * kHour);  // whole local days
  EXPECT_EQ(counts(*store_, Granularity::kHour), live);
  EXPECT_EQ(counts(*store_, Granularity::kMinute).size(), 7u);
  // A second rebuild replaces rather than adds.
  ASSERT_TRUE(rollup_->rebuild(kT0, kT0 + 7 * kHour, kT0 + 8 * kHour).ok());
  EXPECT_EQ(counts(*store_, Granularity::kHour), live);
}

TEST_P(AggregatesTest, RefusalsCountWhetherFoldedIntoEpisodesOrNotLiveAndRebuilt) {
  const int64_t t = kT0 + 5 * kHour + 50'000;
  for (int i = 0; i < 3; ++i) refuse(1, "shell", "rate:1s:5", t + i * 100);  // one episode
  store::Violation episode{1, 10, "shell", "rate:1s:5", "cmd", t + 900};
  episode.count = 40;
  episode.span_ms = 500;
  at(t + 900);
  feed_->record_violation(episode);  // joins the same episode in the store
  ASSERT_TRUE(rollup_->flush().ok());
  ASSERT_TRUE(store_->flush().ok());
  const int64_t minute = t - t % kMin;
  EXPECT_EQ((counts(*store_, Granularity::kMinute)[{minute, 1, "refused"}].first), 43u);
  EXPECT_EQ(store_->list_violations({}).value().size(), 1u);

  for (Granularity g : {Granularity::kMinute, Granularity::kHour, Granularity::kDay}) {
    ASSERT_TRUE(store_->replace_aggregates({g, 0, kT0 * 2, {"refused"}}, {}).ok());
  }
  auto stats = rollup_->rebuild(kT0, kT0 + 7 * kHour, kT0 + 8 * kHour);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->violations, 43u);
  EXPECT_EQ((counts(*store_, Granularity::kMinute)[{minute, 1, "refused"}].first), 43u);
}

TEST_P(AggregatesTest, RetentionKeepsDaysLongerThanMinutes) {
  record_events();
  const int64_t now = kT0 + 8 * 24 * kHour;  // eight days on: minutes are past their 7 days
  ASSERT_TRUE(rollup_->retain(now).ok());
  EXPECT_TRUE(counts(*store_, Granularity::kMinute).empty());
  EXPECT_FALSE(counts(*store_, Granularity::kHour).empty());
  EXPECT_FALSE(counts(*store_, Granularity::kDay).empty());
}

TEST(BucketsTest, ADayOfSpringForwardHas23HoursCountedFromLocalMidnight) {
  Buckets b(new_york());
  const int64_t noon = 1'772'971'200'000;  // 2026-03-08 12:00 UTC, the day clocks go forward
  const core::Period day = b.at(Granularity::kDay, noon);
  EXPECT_EQ(day.start_ms, 1'772'946'000'000);  // 05:00 UTC (EST midnight)
  EXPECT_EQ(day.end_ms - day.start_ms, 23 * kHour);
  const core::Period last_hour = b.at(Granularity::kHour, day.end_ms - 1);
  EXPECT_EQ(last_hour.end_ms, day.end_ms);
  EXPECT_EQ(last_hour.end_ms - last_hour.start_ms, kHour);
}

TEST(BucketsTest, HoursOfAHalfHourZoneStartAtHalfPast) {
  Buckets b(core::Calendar::in_zone("Asia/Kolkata").value());
  // 00:10 UTC is 05:40 in India: its hour began at 05:00 local, 23:30 UTC the day before.
  const core::Period hour = b.at(Granularity::kHour, kT0 + 10 * kMin);
  EXPECT_EQ(hour.start_ms, kT0 - 30 * kMin);
  EXPECT_EQ(hour.end_ms, kT0 + 30 * kMin);
  EXPECT_EQ(b.at(Granularity::kMinute, kT0 + 10 * kMin + 59'999).start_ms, kT0 + 10 * kMin);
}

// Each thread remembers the ids it was given: interners used in turn keep their own, a string
// has one id whatever the thread, and a new interner starts from nothing.
TEST(InternerTest, AStringHasOneIdPerInternerOnEveryThread) {
  auto first = std::make_unique<Interner>();
  Interner second;
  EXPECT_EQ(first->id("shell"), 0u);
  EXPECT_EQ(second.id("test"), 0u);
  EXPECT_EQ(second.id("shell"), 1u);
  EXPECT_EQ(first->id("shell"), 0u);
  EXPECT_EQ(first->id("test"), 1u);
  uint32_t on_other_thread = 99;
  std::thread([&] { on_other_thread = second.id("shell"); }).join();
  EXPECT_EQ(on_other_thread, 1u);
  EXPECT_EQ(second.name(1), "shell");

  first.reset();
  Interner third;  // perhaps where the first was
  EXPECT_EQ(third.id("test"), 0u);
  EXPECT_EQ(third.id("shell"), 1u);
}

}  // namespace
}  // namespace gaia::analytics
