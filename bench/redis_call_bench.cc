// redis_call_bench: FCALL of a small function through Gaia's Redis client (cluster/redis), as
// a closed loop of `concurrency` calls in flight (each answer sends the next), like
// redis-benchmark's clients. Prints one CSV line: calls per second and the latency
// percentiles, a call made to its answer. bench/redis_call_bench.sh runs it beside
// redis-benchmark against the same server, function and arguments.
//
//   redis_call_bench URL SECONDS CONCURRENCY IO_THREADS

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/system_clock.h"
#include "cluster/redis/client.h"
#include "core/mutex.h"

namespace {

using namespace gaia::cluster::redis;
using Clock = std::chrono::steady_clock;

// The same library bench/redis_call_bench.sh loads for redis-benchmark.
constexpr const char* kLibrary =
    "#!lua name=gaia_bench\n"
    "redis.register_function('gaia_bench', function(keys, args)\n"
    "  return redis.call('INCRBY', keys[1], args[1])\n"
    "end)\n";

struct Loop {
  RedisClient* client;
  Clock::time_point until;
  std::atomic<int>* running;
  std::atomic<uint64_t>* failed;
  gaia::core::Mutex mu;
  std::vector<double> latencies_us GUARDED_BY(mu);

  // One caller of the closed loop: each answer records its latency and sends the next call.
  void next() {
    const Clock::time_point made = Clock::now();
    if (made >= until) {
      running->fetch_sub(1);
      return;
    }
    client->call({"FCALL", "gaia_bench", "1", "bench:counter", "1"}, std::chrono::seconds(1),
                 [this, made](CallResult r) {
                   const double us =
                       std::chrono::duration<double, std::micro>(Clock::now() - made).count();
                   if (r.error != CallError::kNone || r.reply.kind != Reply::Kind::kInteger) {
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

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s URL SECONDS CONCURRENCY IO_THREADS\n", argv[0]);
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
  options.connection.function_library = kLibrary;
  options.io_threads = static_cast<unsigned>(std::max(1, std::atoi(argv[4])));
  gaia::app::SystemClock clock;
  RedisClient client(options, clock, nullptr);
  if (gaia::core::Status s = client.start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  std::atomic<int> running{concurrency};
  std::atomic<uint64_t> failed{0};
  Loop loop{&client, {}, &running, &failed, {}, {}};
  const Clock::time_point start = Clock::now();
  loop.until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int i = 0; i < concurrency; ++i) loop.next();
  while (running.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  client.stop();
  gaia::core::MutexLock lock(loop.mu);
  std::vector<double>& v = loop.latencies_us;
  std::printf("\"gaia client\",%.0f,%.3f,%.3f,%llu\n", static_cast<double>(v.size()) / elapsed,
              percentile(v, 0.50) / 1000, percentile(v, 0.99) / 1000,
              static_cast<unsigned long long>(failed.load()));
  return failed.load() == 0 ? 0 : 1;
}
