// Limiter check latency and throughput at 1, 1,000 and 100,000 principals, on one and two
// threads, visited in creation order and (at 50,000 and 100,000) in scattered order, with
// p50/p99 from a per-thread latency histogram and bytes per active counter; and the floor under
// the scattered order, one dependent read of a random block among as many (BM_DependentMiss).
//
//   ./build/release/bench/limiter_bench --benchmark_format=json

#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "core/limiter.h"

namespace gaia::core {
namespace {

using namespace std::chrono_literals;

// A clock frozen at a fixed moment: the benchmark measures the limiter, not clock reads.
constexpr Instant kNow{MonoTime(1h), WallTime(std::chrono::seconds(1767571200))};

std::shared_ptr<const RuleSet> bench_rules() {
  // Every check meets four limits: the default day, week and month quotas of its type and a
  // per-minute rate, all roomy enough never to refuse.
  std::vector<Rule> rules = default_rules();
  for (Rule& rule : rules) {
    for (LimitSpec& limit : rule.limits) limit.amount = 4'000'000'000u;
    rule.limits.push_back(LimitSpec::rate(4'000'000'000u, 1min));
  }
  auto set = RuleSet::compile(std::move(rules), {default_command_types(), Calendar::utc(), {}});
  return set.value();
}

// Latency buckets 10 ns wide up to 100 us; a percentile is its bucket's upper edge, and the
// sample includes the two clock reads around the check.
struct Histogram {
  static constexpr int64_t kWidthNs = 10;
  std::vector<uint64_t> buckets = std::vector<uint64_t>(10'000);
  uint64_t total = 0;
  void add(int64_t ns) {
    ++buckets[std::min<size_t>(static_cast<size_t>(std::max<int64_t>(ns, 0) / kWidthNs),
                               buckets.size() - 1)];
    ++total;
  }
  double percentile(double p) const {
    auto target = static_cast<uint64_t>(p * static_cast<double>(total));
    uint64_t seen = 0;
    for (size_t b = 0; b < buckets.size(); ++b) {
      seen += buckets[b];
      if (seen > target) return static_cast<double>((b + 1) * kWidthNs);
    }
    return static_cast<double>(buckets.size() * kWidthNs);
  }
};

std::unique_ptr<Limiter> g_limiter;

// The order in which a run visits principals 1..n.
enum class Visit { kInOrder, kScattered };

void run_checks(benchmark::State& state, Visit visit) {
  const auto principals = static_cast<uint64_t>(state.range(0));
  if (state.thread_index() == 0) {
    g_limiter = std::make_unique<Limiter>(bench_rules(), LimiterOptions{});
    // Warm every principal's counters so the run measures steady state.
    for (uint64_t u = 1; u <= principals; ++u) {
      (void)g_limiter->check({{u, u, Tier::kDefault}, 0, 1}, kNow);
    }
  }
  Histogram local;
  uint64_t u = 1 + static_cast<uint64_t>(state.thread_index()) * 7919 % principals;
  uint64_t i = 0;
  for (auto _ : state) {
    if (visit == Visit::kInOrder) {
      u = u == principals ? 1 : u + 1;
    } else {
      // A stride coprime to n that lands each check far from the last (another page, another
      // part of the tables), so no prefetcher can follow.
      u = (u - 1 + 48271) % principals + 1;
    }
    const bool sample = (++i & 63) == 0;  // time 1 check in 64: the timer costs as much as a check
    auto start =
        sample ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    Decision d = g_limiter->check({{u, u, Tier::kDefault}, 0, 1}, kNow);
    benchmark::DoNotOptimize(d);
    if (sample) {
      local.add(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count());
    }
  }
  state.SetItemsProcessed(state.iterations());
  // Each thread reports its own figures; the run shows their average.
  auto avg = [](double v) { return benchmark::Counter(v, benchmark::Counter::kAvgThreads); };
  state.counters["p50_ns"] = avg(local.percentile(0.50));
  state.counters["p99_ns"] = avg(local.percentile(0.99));
  state.counters["bytes_per_counter"] =
      avg(static_cast<double>(g_limiter->memory_bytes()) /
          static_cast<double>(std::max<size_t>(1, g_limiter->counter_count(kNow))));
}

// Principals in the order they were created: their blocks in address order.
void BM_Check(benchmark::State& state) { run_checks(state, Visit::kInOrder); }
// Principals in scattered order: every check's block is somewhere else.
void BM_CheckScattered(benchmark::State& state) { run_checks(state, Visit::kScattered); }

// The floor under a scattered check: one dependent read of a random 96-byte block among as
// many as the principals' (what the scattered order's block fetch costs at the least on this
// machine: a cache and TLB miss), with no work around it. A scattered check costs this plus
// its own work.
void BM_DependentMiss(benchmark::State& state) {
  struct alignas(32) Block {
    Block* next;
    char counters[88];
  };
  static_assert(sizeof(Block) == sizeof(CounterBlock));
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<Block> blocks(n);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin() + 1, order.end(), std::mt19937_64(48271));
  for (size_t i = 0; i < n; ++i) blocks[order[i]].next = &blocks[order[(i + 1) % n]];
  Block* at = &blocks[0];
  for (auto _ : state) {
    at = at->next;
    benchmark::DoNotOptimize(at);
  }
}

BENCHMARK(BM_Check)
    ->ArgName("principals")
    ->Arg(1)
    ->Arg(1000)
    ->Arg(100000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
// At 50,000 principals too: their counters (5.4 MB with the tables) fit where 100,000's
// (10.7 MB) may not.
BENCHMARK(BM_CheckScattered)
    ->ArgName("principals")
    ->Arg(50000)
    ->Arg(100000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
// 50,000 blocks (4.8 MB) against 100,000 (9.6 MB): where the blocks stop fitting the cache.
BENCHMARK(BM_DependentMiss)->ArgName("blocks")->Arg(50000)->Arg(100000);
// Fixed counts for a cache simulator (valgrind --tool=cachegrind --cache-sim=yes): the
// difference between the two runs is 200,000 scattered checks, without the warm-up.
BENCHMARK(BM_CheckScattered)->ArgName("principals")->Arg(100000)->Iterations(100'000);
BENCHMARK(BM_CheckScattered)->ArgName("principals")->Arg(100000)->Iterations(300'000);

}  // namespace
}  // namespace gaia::core

BENCHMARK_MAIN();
