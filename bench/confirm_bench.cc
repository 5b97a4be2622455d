// Confirmation policy latency: decide() for a 40-word compound command against 200 patterns
// (the defaults plus generated regex, glob and prefix patterns). Every call is timed on its
// own and the p50 / p99 are reported as counters (microseconds). Target: p99 < 50 us.
//
//   build/<dir>/bench/confirm_bench --benchmark_min_time=2

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "confirm/default_patterns.h"
#include "confirm/policy.h"

namespace {

using namespace gaia::confirm;

// 40 words, 7 commands, a pipeline, a substitution and a redirection.
constexpr const char* kCommand =
    "cd /work/project && git status --short && grep -rn TODO src include tests | head -n 20 "
    "&& ls -la build/output 2>/dev/null && cat README.md | wc -l && echo \"done $(date +%F)\" "
    "&& find . -name '*.cc' -newer Makefile";

std::vector<PatternSpec> two_hundred_patterns() {
  std::vector<PatternSpec> specs = default_patterns();
  for (int i = 0; specs.size() < 200; ++i) {
    PatternSpec s;
    s.id = "bench-" + std::to_string(i);
    s.name = "generated " + std::to_string(i);
    s.priority = 200 + i % 700;
    s.decision = static_cast<Verdict>(i % 3);
    switch (i % 3) {
      case 0:
        s.match = MatchKind::kRegex;
        s.pattern = "^tool" + std::to_string(i) + "( -[a-z]+)* (run|exec|apply)( |$)";
        break;
      case 1:
        s.match = MatchKind::kGlob;
        s.pattern = "deploy" + std::to_string(i) + " --env=* --region=[a-z][a-z]-*";
        break;
      default:
        s.match = MatchKind::kPrefix;
        s.pattern = "service" + std::to_string(i) + " restart";
        break;
    }
    specs.push_back(std::move(s));
  }
  return specs;
}

double percentile(std::vector<double>& v, double p) {
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void BM_Decide40Words200Patterns(benchmark::State& state) {
  auto set = PatternSet::make(two_hundred_patterns());
  if (!set.ok() || set->patterns().size() != 200) {
    state.SkipWithError("pattern set");
    return;
  }
  Context context{.command_type = "shell", .user = "bench", .tier = gaia::core::Tier::kDefault};
  std::vector<double> us;
  us.reserve(1 << 20);
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    Decision d = set->decide(kCommand, context);
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(d);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  state.counters["p50_us"] = percentile(us, 0.50);
  state.counters["p99_us"] = percentile(us, 0.99);
  state.counters["max_us"] = *std::max_element(us.begin(), us.end());
}
BENCHMARK(BM_Decide40Words200Patterns);

void BM_Split40Words(benchmark::State& state) {
  for (auto _ : state) {
    auto parts = split_command(kCommand);
    benchmark::DoNotOptimize(parts);
  }
}
BENCHMARK(BM_Split40Words);

void BM_Compile200Patterns(benchmark::State& state) {
  std::vector<PatternSpec> specs = two_hundred_patterns();
  for (auto _ : state) {
    auto set = PatternSet::make(specs);
    benchmark::DoNotOptimize(set);
  }
}
BENCHMARK(BM_Compile200Patterns)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
