// Admissions per second: CONCURRENCY clients each run `/bin/true` through POST /api/v1/exec,
// one after another on fresh connections, for SECONDS; prints commands run per second.
//
//   exec_load PORT KEY SECONDS CONCURRENCY

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "loopback_http.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: exec_load PORT KEY SECONDS CONCURRENCY\n");
    return 2;
  }
  const auto port = static_cast<uint16_t>(std::stoi(argv[1]));
  const std::string key = argv[2];
  const auto duration = std::chrono::seconds(std::stoi(argv[3]));
  const int clients = std::stoi(argv[4]);
  const std::string body = R"({"type":"test","argv":["/bin/true"]})";
  const std::string request = gaia::bench::exec_request(key, body);
  std::atomic<long> ran{0}, other{0};
  const auto end = std::chrono::steady_clock::now() + duration;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&] {
      while (std::chrono::steady_clock::now() < end) {
        const std::string r = gaia::bench::round_trip(port, request);
        (r.find("\"exit_code\":0") != std::string::npos ? ran : other)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  std::printf("%.1f commands/s (%ld run, %ld not run) over %lld s with %d clients\n",
              static_cast<double>(ran) / duration.count(), ran.load(), other.load(),
              static_cast<long long>(duration.count()), clients);
  return 0;
}
