// redis_check_bench: admission checks through the Redis counter backend (one node's
// RedisCounterBackend over Gaia's client), as a closed loop of `concurrency` checks in flight
// (each answer sends the next), like redis-benchmark's clients. The principal's day, week and
// month quotas and a per-minute rate are all out of reach: four counters evaluated and
// consumed per check, every check admitted. Prints one CSV line: checks per second, latency
// percentiles (a check made to its answer) and the failures; writes the FCALL of one such
// check to ARGV_FILE, one argument a line, so bench/redis_check_bench.sh has redis-benchmark
// call the same function with the same arguments.
//
//   redis_check_bench URL SECONDS CONCURRENCY ARGV_FILE

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/system_clock.h"
#include "cluster/redis/check_call.h"
#include "cluster/redis/client.h"
#include "cluster/redis/counter_backend.h"
#include "cluster/redis/counters_lua.h"
#include "core/limiter.h"
#include "core/mutex.h"
#include "core/rule_set.h"

namespace {

using namespace gaia::cluster::redis;
using Clock = std::chrono::steady_clock;
namespace core = gaia::core;

constexpr uint64_t kOutOfReach = 2'000'000'000;

std::shared_ptr<const core::RuleSet> rules() {
  core::Rule rule;
  rule.id = 1;
  rule.name = "bench";
  rule.command_type = "shell";
  rule.limits = {core::LimitSpec::calendar(kOutOfReach, core::CalendarPeriod::kDay),
                 core::LimitSpec::calendar(kOutOfReach, core::CalendarPeriod::kWeek),
                 core::LimitSpec::calendar(kOutOfReach, core::CalendarPeriod::kMonth),
                 core::LimitSpec::rate(kOutOfReach, std::chrono::minutes(1))};
  core::RuleSetOptions options;
  options.command_types = core::default_command_types();
  return core::RuleSet::compile({rule}, options).value();
}

struct Loop {
  RedisCounterBackend* backend;
  const gaia::app::SystemClock* clock;
  core::CheckRequest req;
  Clock::time_point until;
  std::atomic<int>* running;
  std::atomic<uint64_t>* failed;
  gaia::core::Mutex mu;
  std::vector<double> latencies_us GUARDED_BY(mu);

  // One caller of the closed loop: each answer records its latency and sends the next check.
  void next() {
    const Clock::time_point made = Clock::now();
    if (made >= until) {
      running->fetch_sub(1);
      return;
    }
    backend->check(req, clock->now(), [this, made](const core::CheckResult& r) {
      const double us = std::chrono::duration<double, std::micro>(Clock::now() - made).count();
      if (!r.decided || !r.decision.allowed) {
        failed->fetch_add(1);
      } else {
        gaia::core::MutexLock lock(mu);
        latencies_us.push_back(us);
      }
      next();
    });
  }
};

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

// The FCALL the backend sends for `req` now.
bool write_argv(const core::RuleSet& set, const core::CheckRequest& req, int64_t wall_ms,
                const char* path) {
  core::Policy scratch;
  CheckCall call;
  call.rules = &set;
  call.policy = &set.resolve(req.principal, req.type, scratch);
  call.req = req;
  call.wall_ms = wall_ms;
  call.lease_id = 1;
  call.lease_ttl_ms = 30'000;
  call.concurrency_retry_after_ms = 1000;
  std::ofstream out(path);
  for (const std::string& arg : check_argv(call)) out << arg << '\n';
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s URL SECONDS CONCURRENCY ARGV_FILE\n", argv[0]);
    return 2;
  }
  auto url = RedisUrl::parse(argv[1]);
  if (!url.ok()) {
    std::fprintf(stderr, "%s\n", url.status().message().c_str());
    return 2;
  }
  const double seconds = std::atof(argv[2]);
  const int concurrency = std::max(1, std::atoi(argv[3]));
  ClientOptions options;
  options.connection.url = url.value();
  options.connection.function_library = std::string(kCountersLua);
  options.io_threads = 1;  // as gaia_server's SharedCounters
  gaia::app::SystemClock clock;
  RedisClient client(options, clock, nullptr);
  if (core::Status s = client.start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  core::Limiter limiter(rules(), {});
  // A deadline no loopback call meets late: this measures throughput, not the outage policy.
  RedisCounterBackend backend(client, limiter, {.deadline = std::chrono::seconds(1)});
  const core::CheckRequest req{
      {.user = 7, .key = 0, .tier = core::Tier::kDefault}, *limiter.rules()->type_id("shell"), 1};
  if (!write_argv(*limiter.rules(), req, core::to_ms(clock.now().wall), argv[4])) {
    std::fprintf(stderr, "cannot write %s\n", argv[4]);
    return 1;
  }
  std::atomic<int> running{concurrency};
  std::atomic<uint64_t> failed{0};
  Loop loop{&backend, &clock, req, {}, &running, &failed, {}, {}};
  const Clock::time_point start = Clock::now();
  loop.until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int i = 0; i < concurrency; ++i) loop.next();
  while (running.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  client.stop();
  gaia::core::MutexLock lock(loop.mu);
  std::vector<double>& v = loop.latencies_us;
  std::printf("\"gaia checks\",%.0f,%.3f,%.3f,%llu\n", static_cast<double>(v.size()) / elapsed,
              percentile(v, 0.50) / 1000, percentile(v, 0.99) / 1000,
              static_cast<unsigned long long>(failed.load()));
  return failed.load() == 0 ? 0 : 1;
}
