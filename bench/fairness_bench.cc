// Fairness under a flood: four users queue many commands at once, a fifth submits one now and
// then. Reports how long the occasional user's commands waited for a worker, against how long
// one command runs. Real parts: limiter, scheduler, process runner, SQLite store.
//
//   fairness_bench [workers=2] [flood_per_user=40] [command_ms=100]

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/system_clock.h"
#include "exec/executor.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using Clock = std::chrono::steady_clock;

class Timing : public gaia::exec::ExecObserver {
 public:
  void on_refused(const gaia::exec::Refusal& r) override {
    std::fprintf(stderr, "refused: %s\n", r.message.c_str());
    finish();
  }
  void on_queued(const gaia::core::Enqueued&) override {}
  void on_started() override {
    std::lock_guard lock(mu_);
    started_ = Clock::now();
  }
  void on_output(gaia::exec::OutputStream, std::string_view) override {}
  void on_exited(const gaia::exec::RunResult& r, const gaia::core::Status&) override {
    {
      std::lock_guard lock(mu_);
      ran_ = r.wall_duration;
    }
    finish();
  }
  void on_failed(const gaia::core::Status& why) override {
    std::fprintf(stderr, "failed: %s\n", why.message().c_str());
    finish();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }
  Clock::time_point submitted_ = Clock::now(), started_;
  std::chrono::nanoseconds ran_{0};

 private:
  void finish() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

double ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned workers = argc > 1 ? std::stoul(argv[1]) : 2;
  const int flood = argc > 2 ? std::stoi(argv[2]) : 40;
  const int command_ms = argc > 3 ? std::stoi(argv[3]) : 100;

  gaia::app::SystemClock clock;
  auto dir = std::filesystem::temp_directory_path() / "gaia-fairness-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = gaia::store::sqlite::SqliteStore::open((dir / "gaia.db").string(), clock);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return 1;
  }
  gaia::core::RuleSetOptions options{
      gaia::core::default_command_types(), gaia::core::Calendar::utc(), {}};
  auto rules = gaia::core::RuleSet::compile(gaia::core::default_rules(), options);
  gaia::core::Limiter limiter(rules.value(), {});
  gaia::exec::Scheduler scheduler({.workers = workers}, clock);
  gaia::exec::ProcessRunnerOptions runner_options;
  runner_options.cgroups = gaia::exec::CgroupMode::kOff;
  runner_options.supervisor_path = GAIA_SUPERVISOR;
  gaia::exec::ProcessRunner runner(clock, runner_options);
  gaia::exec::Executor executor(limiter, scheduler, runner, *store.value(), clock, nullptr,
                                nullptr);

  const std::string sleep_arg = std::to_string(command_ms / 1000.0);
  int next_id = 0;
  auto submit = [&](uint64_t user) {
    gaia::exec::ExecRequest r;
    r.id = "bench-" + std::to_string(++next_id);
    r.user_id = user;
    r.principal = {user, user, gaia::core::Tier::kPremium};
    r.type = *rules.value()->type_id("test");
    r.spec.argv = {"/bin/sleep", sleep_arg};
    auto timing = std::make_shared<Timing>();
    executor.submit(std::move(r), timing);
    return timing;
  };

  std::vector<std::shared_ptr<Timing>> flooders;
  for (int i = 0; i < flood; ++i) {
    for (uint64_t user = 1; user <= 4; ++user) flooders.push_back(submit(user));
  }
  // The occasional user: one command at a time, a little apart, while the flood drains.
  const auto flood_time = std::chrono::milliseconds(4 * flood * command_ms / workers);
  std::vector<std::shared_ptr<Timing>> occasional;
  const auto start = Clock::now();
  // Let the flood get under way first: users who all arrive at once go in arrival order.
  std::this_thread::sleep_for(std::chrono::milliseconds(command_ms));
  while (Clock::now() - start < flood_time * 8 / 10) {
    occasional.push_back(submit(99));
    occasional.back()->wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(3 * command_ms));
  }
  for (auto& t : flooders) t->wait();

  std::vector<double> waits, runs;
  for (auto& t : occasional) waits.push_back(ms(t->started_ - t->submitted_));
  for (auto& t : flooders) runs.push_back(ms(t->ran_));
  std::sort(waits.begin(), waits.end());
  std::sort(runs.begin(), runs.end());
  const double run_median = runs[runs.size() / 2];
  std::printf("workers %u, 4 users x %d commands of %d ms, occasional commands %zu\n", workers,
              flood, command_ms, waits.size());
  std::printf("command run time median %.1f ms\n", run_median);
  std::printf("occasional wait: median %.1f ms, max %.1f ms = %.2f command times (bar: <= 2)\n",
              waits[waits.size() / 2], waits.back(), waits.back() / run_median);
  scheduler.stop();
  std::filesystem::remove_all(dir);
  return waits.back() <= 2 * run_median ? 0 : 1;
}
