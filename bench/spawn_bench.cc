// What the runner costs over a bare spawn: ProcessRunner::run of /bin/true (with and without
// a cgroup) against posix_spawn + waitpid of /bin/true. Results and the command line are in
// docs/runner.md.

#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>

#include "exec/runner.h"

extern char** environ;

namespace {

class SteadyClock : public gaia::core::Clock {
 public:
  gaia::core::MonoTime mono_now() const override { return std::chrono::steady_clock::now(); }
  gaia::core::WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

void BM_PosixSpawnTrue(benchmark::State& state) {
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  for (auto _ : state) {
    pid_t pid;
    if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) {
      state.SkipWithError("posix_spawn failed");
      return;
    }
    int status;
    waitpid(pid, &status, 0);
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_PosixSpawnTrue)->Unit(benchmark::kMicrosecond);

void run_true(benchmark::State& state, gaia::exec::CgroupMode mode) {
  SteadyClock clock;
  gaia::exec::ProcessRunnerOptions options;
  options.cgroups = mode;
  options.supervisor_path = GAIA_SUPERVISOR;
  gaia::exec::ProcessRunner runner(clock, options);
  if (mode == gaia::exec::CgroupMode::kAuto && !runner.cgroups_available()) {
    state.SkipWithError(("no cgroups: " + runner.cgroup_note()).c_str());
    return;
  }
  gaia::exec::RunSpec spec;
  spec.argv = {"/bin/true"};
  spec.timeout = std::chrono::seconds(10);
  spec.limits.cpu_seconds = 10;
  spec.limits.open_files = 256;
  if (mode == gaia::exec::CgroupMode::kAuto) spec.memory_limit_bytes = 256 << 20;
  for (auto _ : state) {
    auto r = runner.run(spec, nullptr, nullptr);
    if (!r.ok() || r->exit_code != 0) {
      state.SkipWithError("run failed");
      return;
    }
    benchmark::DoNotOptimize(r->user_cpu);
  }
}

void BM_RunnerTrue(benchmark::State& state) { run_true(state, gaia::exec::CgroupMode::kOff); }
BENCHMARK(BM_RunnerTrue)->Unit(benchmark::kMicrosecond);

void BM_RunnerTrueInCgroup(benchmark::State& state) {
  run_true(state, gaia::exec::CgroupMode::kAuto);
}
BENCHMARK(BM_RunnerTrueInCgroup)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
