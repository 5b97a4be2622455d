// analytics_report_bench: fills a SQLite store with executions (batched commit_batch), builds
// their aggregates with the rebuild (analytics::Rollup::rebuild), then times the report of the
// last 30 days by day grouped by user and type, from the aggregates.
//
//   ./build/release/bench/analytics_report_bench PATH [EXECUTIONS [USERS [TYPES [DAYS]]]]
//   (defaults: 10,000,000 executions, 500 users, 6 types, 31 days). An existing file is
//   reused as it is (no fill, no rebuild), so the report can be timed again.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "analytics/report.h"
#include "analytics/rollup.h"
#include "core/clock.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace gaia;
using Clock = std::chrono::steady_clock;

class FixedClock : public core::Clock {
 public:
  explicit FixedClock(int64_t wall_ms) : wall_ms_(wall_ms) {}
  core::MonoTime mono_now() const override { return core::MonoTime(std::chrono::hours(1)); }
  core::WallTime wall_now() const override {
    return core::WallTime(std::chrono::milliseconds(wall_ms_));
  }

 private:
  int64_t wall_ms_;
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PATH [EXECUTIONS [USERS [TYPES [DAYS]]]]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const uint64_t executions = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10'000'000;
  const uint64_t users = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 500;
  const uint64_t types = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 6;
  const int64_t days = argc > 5 ? std::strtoll(argv[5], nullptr, 10) : 31;
  constexpr int64_t kNowMs = 1'767'571'200'000;  // 2026-01-05 00:00 UTC
  const int64_t from_ms = kNowMs - days * analytics::kDayMs;
  FixedClock clock(kNowMs);
  const bool fresh = !std::filesystem::exists(path);
  auto opened = store::sqlite::SqliteStore::open(path, clock);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().message().c_str());
    return 1;
  }
  store::Store& db = *opened.value();
  analytics::Aggregator aggregator;
  analytics::Rollup rollup(
      db, aggregator, analytics::Buckets(core::Calendar::utc()),
      {std::chrono::hours(24 * 7), std::chrono::hours(24 * 90), std::chrono::hours(24 * 730)});
  if (fresh) {
    auto t = Clock::now();
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> duration(5.0, 1.5);
    store::WriteBatch batch;
    const std::string type_names[] = {"shell",    "code", "test",  "review",
                                      "refactor", "lint", "build", "deploy"};
    for (uint64_t i = 0; i < executions; ++i) {
      store::Execution e;
      e.id = std::to_string(i);
      e.user_id = 1 + rng() % users;
      e.key_id = e.user_id;
      e.type = type_names[rng() % std::min<uint64_t>(types, 8)];
      e.command = "make check";
      e.started_at_ms =
          from_ms + static_cast<int64_t>(rng() % static_cast<uint64_t>(days * analytics::kDayMs));
      e.duration_ms = static_cast<int64_t>(duration(rng));
      e.cpu_ms = e.duration_ms / 2;
      e.peak_memory_bytes = static_cast<int64_t>(rng() % 512) << 20;
      e.exit_code = rng() % 20 == 0 ? 1 : 0;
      batch.executions.push_back(std::move(e));
      if (batch.executions.size() == 50'000 || i + 1 == executions) {
        auto done = db.commit_batch(batch, std::nullopt);
        if (!done.ok()) {
          std::fprintf(stderr, "fill: %s\n", done.status().message().c_str());
          return 1;
        }
        batch.executions.clear();
      }
    }
    std::printf("fill: %llu executions in %.1f s\n", static_cast<unsigned long long>(executions),
                seconds_since(t));
    t = Clock::now();
    auto stats = rollup.rebuild(from_ms, kNowMs, kNowMs);
    if (!stats.ok()) {
      std::fprintf(stderr, "rebuild: %s\n", stats.status().message().c_str());
      return 1;
    }
    std::printf("rebuild: %llu executions into %llu aggregate rows in %.1f s\n",
                static_cast<unsigned long long>(stats->executions),
                static_cast<unsigned long long>(stats->rows), seconds_since(t));
  }
  auto names = [](uint64_t id) { return "user" + std::to_string(id); };
  for (const auto& metrics :
       {std::vector<analytics::Metric>{analytics::Metric::kCount, analytics::Metric::kCost},
        std::vector<analytics::Metric>{analytics::Metric::kCount, analytics::Metric::kDuration,
                                       analytics::Metric::kCpu, analytics::Metric::kMemory}}) {
    analytics::ReportQuery q;
    q.from_ms = kNowMs - 30 * analytics::kDayMs;
    q.to_ms = kNowMs;
    q.bucket = store::Granularity::kDay;
    q.group_by = {analytics::Dimension::kUser, analytics::Dimension::kType};
    q.metrics = metrics;
    double best = 1e9;
    size_t rows = 0;
    for (int run = 0; run < 5; ++run) {
      const auto t = Clock::now();
      auto table = analytics::run_report(db, rollup.buckets(), q, names);
      if (!table.ok()) {
        std::fprintf(stderr, "report: %s\n", table.status().message().c_str());
        return 1;
      }
      best = std::min(best, seconds_since(t));
      rows = table->rows.size();
    }
    std::printf("report (30 days by day, user x type, %zu metrics): %zu rows, best of 5 %.3f s\n",
                metrics.size(), rows, best);
  }
  return 0;
}
