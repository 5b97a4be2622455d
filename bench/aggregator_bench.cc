// aggregator_bench: the Aggregator's cost per event on the request path (a check's usage, a
// refusal, a finished execution), on one thread and on two at once, with 10,000 users.
//   ./build/release/bench/aggregator_bench

#include <benchmark/benchmark.h>

#include "analytics/aggregator.h"

namespace {

using gaia::analytics::Aggregator;

constexpr int64_t kNowMs = 1'767'571'200'000;

Aggregator& shared() {
  static Aggregator aggregator;
  return aggregator;
}

void BM_Usage(benchmark::State& state) {
  Aggregator& a = shared();
  gaia::store::Usage u{1, 1, "shell", 0, 1};
  uint64_t i = static_cast<uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    u.user_id = ++i % 10'000;
    a.on_usage(u, kNowMs + static_cast<int64_t>(i % 1000));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Usage)->Threads(1)->Threads(2)->UseRealTime();

void BM_Violation(benchmark::State& state) {
  Aggregator& a = shared();
  gaia::store::Violation v{1, 1, "shell", "calendar:day:500", "ls", kNowMs};
  uint64_t i = static_cast<uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    v.user_id = ++i % 10'000;
    a.on_violation(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Violation)->Threads(1)->Threads(2)->UseRealTime();

void BM_Execution(benchmark::State& state) {
  Aggregator& a = shared();
  gaia::store::Execution e;
  e.type = "test";
  e.started_at_ms = kNowMs;
  e.exit_code = 0;
  uint64_t i = static_cast<uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    e.user_id = ++i % 10'000;
    e.duration_ms = static_cast<int64_t>(i % 5000);
    e.cpu_ms = static_cast<int64_t>(i % 900);
    e.peak_memory_bytes = static_cast<int64_t>(i % 64) << 20;
    a.on_execution(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Execution)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
