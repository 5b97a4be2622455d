// A database left by schema version 6, its sketches in the text form, opened by this version:
// the upgrade keeps every stored sketch readable, the report gives the same percentiles, and
// rows written afterwards in the binary form merge with the old ones.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "analytics/report.h"
#include "legacy_sketch.h"
#include "store/postgres/migrations.h"
#include "store/sqlite/migrations.h"
#include "support/store_backends.h"

namespace gaia::analytics {
namespace {

using testing::StoreBackend;

constexpr int64_t kDay0 = 1'767'571'200'000;  // 2026-01-05 00:00 UTC
constexpr int64_t kDayLength = 86'400'000;

std::vector<int64_t> lognormal_values(uint64_t seed, int n, double mu) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(mu, 1.5);
  std::vector<int64_t> values;
  for (int i = 0; i < n; ++i) values.push_back(static_cast<int64_t>(dist(rng)));
  return values;
}

Sketch sketch_of(const std::vector<int64_t>& values) {
  Sketch s;
  for (int64_t v : values) s.add(v);
  return s;
}

int64_t rounded(double v) { return static_cast<int64_t>(std::llround(v)); }

class SketchMigrationTest : public testing::StoreBackendTest {
 protected:
  static constexpr int kVersionBeforeBinarySketches = 6;

  // Creates the database as version 6 left it and runs `sql` on it.
  void make_version_6_with(const std::string& sql) {
    if (GetParam() == StoreBackend::kSqlite) {
      auto db = store::sqlite::Connection::open(path_);
      ASSERT_TRUE(db.ok());
      ASSERT_TRUE(store::sqlite::migrate(*db.value(), kVersionBeforeBinarySketches).ok());
      core::Status s = db.value()->exec(sql);
      ASSERT_TRUE(s.ok()) << s.message();
      return;
    }
    auto db = store::postgres::Connection::open(url_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(store::postgres::migrate(*db.value(), kVersionBeforeBinarySketches).ok());
    core::Status s = db.value()->exec(sql.c_str());
    ASSERT_TRUE(s.ok()) << s.message();
  }

  int schema_version() {
    const char* sql = "SELECT MAX(version) FROM schema_migrations";
    if (GetParam() == StoreBackend::kSqlite) {
      auto db = store::sqlite::Connection::open(path_);
      auto stmt = db.value()->prepare(sql);
      EXPECT_TRUE(stmt.ok() && stmt->step().ok());
      return static_cast<int>(stmt->int64(0));
    }
    auto db = store::postgres::Connection::open(url_);
    auto rows = db.value()->run("version", sql, {});
    EXPECT_TRUE(rows.ok());
    return static_cast<int>(rows->int64(0, 0));
  }

  int latest_version() const {
    return GetParam() == StoreBackend::kSqlite ? store::sqlite::latest_schema_version()
                                               : store::postgres::latest_schema_version();
  }

  // Duration, CPU and memory percentiles of user 1 on day 0, as the report gives them.
  std::vector<Value> percentiles(store::Store& store) {
    ReportQuery q;
    q.from_ms = kDay0;
    q.to_ms = kDay0 + kDayLength;
    q.bucket = store::Granularity::kDay;
    q.group_by = {Dimension::kUser};
    q.metrics = {Metric::kDuration, Metric::kCpu, Metric::kMemory};
    auto table = run_report(store, Buckets(core::Calendar::utc()), q,
                            [](uint64_t id) { return std::to_string(id); });
    EXPECT_TRUE(table.ok()) << table.status().message();
    if (!table.ok() || table->rows.size() != 1) return {};
    const std::vector<Value>& row = table->rows.front();
    // t_ms, user, duration sum p50 p95, cpu sum p50 p95, memory max p95
    return {row[3], row[4], row[6], row[7], row[9]};
  }

  static std::vector<Value> expected(const Sketch& duration, const Sketch& cpu,
                                     const Sketch& memory) {
    return {rounded(duration.quantile(0.5)), rounded(duration.quantile(0.95)),
            rounded(cpu.quantile(0.5)), rounded(cpu.quantile(0.95)),
            rounded(memory.quantile(0.95))};
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, SketchMigrationTest,
                         ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres),
                         testing::store_backend_name);

TEST_P(SketchMigrationTest, TextSketchesReportTheSamePercentilesAfterTheUpgrade) {
  const auto durations = lognormal_values(1, 400, 5.0);
  const auto cpu = lognormal_values(2, 400, 4.0);
  const auto memory = lognormal_values(3, 400, 18.0);
  make_version_6_with(
      "INSERT INTO analytics_aggregates (granularity, bucket_start_ms, user_id, key_id, type, "
      "outcome, limit_name, count, cost, duration_ms_sum, duration_ms_max, cpu_ms_sum, "
      "cpu_ms_max, peak_memory_max, duration_sketch, cpu_sketch, memory_sketch) VALUES (2, " +
      std::to_string(kDay0) + ", 1, 10, 'shell', 'executed', '', 400, 400, 1, 1, 1, 1, 1, '" +
      legacy_text(durations) + "', '" + legacy_text(cpu) + "', '" + legacy_text(memory) + "')");

  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(schema_version(), latest_version());
  EXPECT_EQ(percentiles(*store), expected(sketch_of(durations), sketch_of(cpu), sketch_of(memory)));

  // A row written now, in the binary form, for the same day and user.
  const auto more = lognormal_values(4, 300, 7.0);
  store::AggregateRow row;
  row.granularity = store::Granularity::kDay;
  row.bucket_start_ms = kDay0;
  row.user_id = 1;
  row.key_id = 10;
  row.type = "shell";
  row.outcome = "executed";
  row.count = row.cost = 300;
  row.duration_ms_sum = 1;
  row.duration_sketch = row.cpu_sketch = row.memory_sketch = sketch_of(more).encode();
  ASSERT_TRUE(store->add_aggregates({row}).ok());
  Sketch all_durations = sketch_of(durations), all_cpu = sketch_of(cpu),
         all_memory = sketch_of(memory);
  for (Sketch* s : {&all_durations, &all_cpu, &all_memory}) s->merge(sketch_of(more));
  EXPECT_EQ(percentiles(*store), expected(all_durations, all_cpu, all_memory));
}

}  // namespace
}  // namespace gaia::analytics
