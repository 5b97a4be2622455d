// alert_eval_bench: the cost of one alert evaluation round of 200 rules, and what that is as
// a share of one core at the default 10 s interval.
//
// The round runs as in gaia_server: the real Evaluator over the real AlertMetrics adapter
// (fed with the admissions and refusals of 2,000 users over 5 command types), a real SQLite
// store, and an executor status of the same shape as ExecStack::status_json(). The 200 rules
// mix global rules (every global metric), per-user and per-type rules (violation rate,
// refusal share, quota use), one alert per offending user/type.
//   Steady: the same alerts stay firing (the usual round: no transition, no write).
//   Churn:  each round new users turn hot and others calm down: dozens of alerts open and
//           resolve per round, each written with its transition.
//   alert_round_1000_changes: one per-user rule and 1,000 users crossing it together, then
//           calming down together, round after round: every round opens or resolves 1,000
//           alerts (a flood of repeat violators), all written by the round.
// The counter core_pct_at_10s = (CPU seconds per round / 10 s) * 100 (the round runs on the
// evaluator's one thread; its CPU time is what it costs).
//
//   ./build/release/bench/alert_eval_bench --benchmark_min_time=2 --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true    (one command line)

#include <benchmark/benchmark.h>

#include <filesystem>

#include "alerts/evaluator.h"
#include "app/alert_metrics.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace gaia;

class BenchClock : public core::Clock {
 public:
  core::MonoTime mono_now() const override { return mono_; }
  core::WallTime wall_now() const override { return wall_; }
  void advance(std::chrono::milliseconds d) {
    mono_ += d;
    wall_ += d;
  }

 private:
  core::MonoTime mono_{std::chrono::hours(1)};
  core::WallTime wall_{std::chrono::seconds(1767571200)};
};

class NullChannel : public alerts::Notifier {
 public:
  void notify(const alerts::AlertGroup&) override { ++told; }
  uint64_t told = 0;
};

constexpr int kUsers = 2000;
const char* const kTypes[] = {"shell", "code", "test", "review", "refactor"};

// 150 global rules over every global metric, thresholds spread; 30 per user (violation rate,
// refusal share, quota use) and 20 per type.
std::vector<alerts::AlertRule> bench_rules() {
  std::vector<alerts::AlertRule> rules;
  const char* const global[] = {"violation_rate", "refusal_share",       "cpu_pct",
                                "memory_pct",     "throttle_factor",     "queue_length",
                                "store_healthy",  "store_write_backlog", "ws_drops",
                                "quota_use_pct"};
  for (int i = 0; i < 200; ++i) {
    alerts::AlertRule r;
    r.name = "rule " + std::to_string(i);
    r.channels = {"log"};
    r.cooldown = std::chrono::seconds(0);
    if (i < 150) {
      r.metric = global[i % 10];
      r.threshold = (i % 7) * 15.0;
    } else if (i < 180) {
      r.scope.kind = alerts::ScopeKind::kUser;
      r.metric = i % 6 == 0 ? "quota_use_pct" : (i % 2 == 0 ? "refusal_share" : "violation_rate");
      r.threshold = r.metric == "quota_use_pct" ? 97 : 5 + i % 13;
    } else {
      r.scope.kind = alerts::ScopeKind::kType;
      r.metric = i % 2 == 0 ? "violation_rate" : "refusal_share";
      r.threshold = 5 + i % 11;
    }
    rules.push_back(std::move(r));
  }
  return rules;
}

struct World {
  BenchClock clock;
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<app::AlertMetrics> metrics;
  std::unique_ptr<alerts::Evaluator> evaluator;
  NullChannel log;

  World() {
    dir =
        std::filesystem::temp_directory_path() / ("alert_eval_bench." + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    store = std::move(store::sqlite::SqliteStore::open((dir / "gaia.db").string(), clock).value());
    app::AlertMetricSources s;
    s.executor = [] {
      return boost::json::object{{"throttle_factor", 1.0},
                                 {"cpu_pct", 42.5},
                                 {"mem_pct", 61.0},
                                 {"queued", {{"enterprise", 0}, {"premium", 2}, {"default", 7}}}};
    };
    s.store = store.get();
    s.ws_drops = [] { return uint64_t{0}; };
    s.user_name = [](uint64_t id) -> std::optional<std::string> {
      return "user" + std::to_string(id);
    };
    s.quota_use = [](uint64_t id, std::map<std::string, double>& pct) {
      for (const char* t : kTypes) pct[t] = static_cast<double>((id * 7) % 100);
    };
    metrics = std::make_unique<app::AlertMetrics>(clock, std::move(s));
    evaluator =
        std::make_unique<alerts::Evaluator>(*store, *metrics, clock, alerts::EvaluatorOptions{});
    evaluator->add_channel("log", log);
    (void)evaluator->load({});
    for (alerts::AlertRule& r : bench_rules()) (void)evaluator->create_rule(std::move(r));
  }
  ~World() {
    evaluator.reset();
    metrics.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  // Ten seconds of traffic: every user admitted, each refused once every ~30 min, and the 20
  // users from `hot_from` refused a lot (their alerts fire).
  void traffic(uint64_t hot_from) {
    const int64_t now_ms = core::to_ms(clock.now().wall);
    for (uint64_t u = 1; u <= kUsers; ++u) {
      const char* type = kTypes[u % 5];
      metrics->on_usage({u, u, type, 0, 3}, now_ms);
      const bool hot = u >= hot_from && u < hot_from + 20;
      const int refusals = hot ? 60 : static_cast<int>((u + now_ms / 10'000) % 200 == 0);
      for (int i = 0; i < refusals; ++i) {
        metrics->on_violation({u, u, type, "rate:minute:10", "", now_ms});
      }
    }
  }
};

void run(benchmark::State& state, bool churn) {
  World w;
  // Five minutes of traffic first: the windows are full and the steady alerts are open.
  for (int i = 0; i < 30; ++i) {
    w.clock.advance(std::chrono::seconds(10));
    w.traffic(1);
  }
  w.evaluator->evaluate();
  uint64_t round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    w.clock.advance(std::chrono::seconds(10));
    // Churn: each round five more users turn hot, and five whose burst left the window calm
    // down: their alerts open and resolve.
    w.traffic(churn ? 1 + 5 * (++round % 300) : 1);
    state.ResumeTiming();
    w.evaluator->evaluate();
  }
  const alerts::EvaluatorSummary s = w.evaluator->summary();
  state.counters["rules"] = static_cast<double>(s.rules);
  state.counters["firing"] = static_cast<double>(s.firing);
  // CPU seconds per round, as a share of one core at one round per 10 s.
  // Counted over CPU time: (CPU s / round) / 10 s * 100 = 10 * CPU s / rounds.
  state.counters["core_pct_at_10s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) / 10.0,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// 1,000 users over one per-user rule, all hot or all calm.
class FloodMetrics : public alerts::MetricSource {
 public:
  void read(std::string_view, alerts::ScopeKind, std::vector<alerts::Sample>& out) override {
    for (int u = 0; u < 1000; ++u) out.push_back({"u" + std::to_string(u), hot ? 11.0 + u % 7 : 0});
  }
  bool hot = false;
};

void BM_Round1000Changes(benchmark::State& state) {
  BenchClock clock;
  const auto dir =
      std::filesystem::temp_directory_path() / ("alert_round_bench." + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto store =
        std::move(store::sqlite::SqliteStore::open((dir / "gaia.db").string(), clock).value());
    FloodMetrics metrics;
    NullChannel log;
    alerts::Evaluator evaluator(*store, metrics, clock, alerts::EvaluatorOptions{});
    evaluator.add_channel("log", log);
    (void)evaluator.load({});
    alerts::AlertRule r;
    r.name = "Repeat violator";
    r.metric = "detector_violators";
    r.threshold = 0;
    r.scope.kind = alerts::ScopeKind::kUser;
    r.cooldown = std::chrono::seconds(0);
    r.channels = {"log"};
    (void)evaluator.create_rule(std::move(r));
    for (auto _ : state) {
      clock.advance(std::chrono::seconds(10));
      metrics.hot = !metrics.hot;  // 1,000 alerts open, or the 1,000 resolve
      evaluator.evaluate();
    }
    state.counters["told"] = static_cast<double>(log.told);
    state.counters["last_error"] = evaluator.summary().last_error.empty() ? 0 : 1;
  }
  std::filesystem::remove_all(dir);
}

void BM_EvaluateSteady(benchmark::State& state) { run(state, false); }
void BM_EvaluateChurn(benchmark::State& state) { run(state, true); }

BENCHMARK(BM_EvaluateSteady)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EvaluateChurn)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Round1000Changes)->Name("alert_round_1000_changes")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
