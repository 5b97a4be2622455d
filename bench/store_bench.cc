// Executions recorded per second through the Store interface (record_execution, then flush),
// batched by the group-commit writer, into SQLite (WAL, synchronous=FULL) and into a local
// PostgreSQL 15 (fsync on, synchronous_commit on) started for the run
// (tests/support/postgres_cluster.h). Each iteration records kPerIteration executions with
// fresh ids and waits until all are durable.
//
//   ./build/release/bench/store_bench

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"

namespace gaia::store {
namespace {

constexpr int kPerIteration = 20'000;

Execution execution(uint64_t n) {
  Execution e;
  e.id = "bench-" + std::to_string(n);
  e.user_id = 1 + n % 100;
  e.key_id = 1 + n % 100;
  e.type = "shell";
  e.command = "cargo test --workspace";
  e.started_at_ms = 1'767'571'200'000 + static_cast<int64_t>(n);
  e.duration_ms = 1200;
  e.cpu_ms = 900;
  e.peak_memory_bytes = 64 << 20;
  e.exit_code = 0;
  return e;
}

void record_batches(benchmark::State& state, Store& store) {
  uint64_t next = 0;
  std::atomic<uint64_t> stored{0};
  for (auto _ : state) {
    for (int i = 0; i < kPerIteration; ++i) {
      store.record_execution(execution(next++), [&](Result<bool> r) { stored += r.ok(); });
    }
    if (Status s = store.flush(); !s.ok()) state.SkipWithError(s.message().c_str());
  }
  if (stored.load() != next) state.SkipWithError("an execution was not stored");
  state.SetItemsProcessed(static_cast<int64_t>(next));
  state.counters["commits"] = static_cast<double>(store.health().commits);
}

void BM_RecordSqlite(benchmark::State& state) {
  testing::ManualClock clock;
  testing::TempDir dir;
  auto store = sqlite::SqliteStore::open(dir.file("gaia.db"), clock);
  if (!store.ok()) return state.SkipWithError(store.status().message().c_str());
  record_batches(state, *store.value());
}
BENCHMARK(BM_RecordSqlite)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RecordPostgres(benchmark::State& state) {
  static std::unique_ptr<testing::PostgresCluster> cluster = [] {
    std::string error;
    auto c = testing::PostgresCluster::create(error);
    if (!c) std::fprintf(stderr, "%s\n", error.c_str());
    return c;
  }();
  if (!cluster) return state.SkipWithError("PostgreSQL did not start");
  testing::ManualClock clock;
  auto store = postgres::PostgresStore::open(cluster->create_database(), clock);
  if (!store.ok()) return state.SkipWithError(store.status().message().c_str());
  record_batches(state, *store.value());
}
BENCHMARK(BM_RecordPostgres)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace gaia::store

BENCHMARK_MAIN();
