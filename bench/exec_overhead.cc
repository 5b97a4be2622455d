// Executor overhead: `/bin/true` run through a gaia_server (POST /api/v1/exec) against a bare
// posix_spawn + waitpid of `/bin/true`, in the same run. Each HTTP request uses a fresh
// loopback connection, as `gaia exec` does; GET /health on the same terms measures what HTTP
// and loopback cost alone, so
//   server-side executor overhead = exec round trip − /health round trip − bare spawn.
//
//   exec_overhead PORT ADMIN_KEY [runs=300]

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "loopback_http.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double us_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// One request on a fresh connection, read to end of stream; the response, or "" on error.

double bare_spawn_us() {
  const auto start = Clock::now();
  pid_t pid;
  char arg0[] = "/bin/true";
  char* argv[] = {arg0, nullptr};
  if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) return -1;
  int status;
  waitpid(pid, &status, 0);
  return us_since(start);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: exec_overhead PORT ADMIN_KEY [runs]\n");
    return 2;
  }
  const auto port = static_cast<uint16_t>(std::stoi(argv[1]));
  const std::string key = argv[2];
  const int runs = argc > 3 ? std::stoi(argv[3]) : 300;

  const std::string body = R"({"type":"shell","argv":["/bin/true"]})";
  const std::string exec_request = gaia::bench::exec_request(key, body);
  const std::string health_request =
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

  std::vector<double> bare, health, exec;
  for (int i = 0; i < runs; ++i) {  // interleaved, so drift hits all three alike
    bare.push_back(bare_spawn_us());
    auto start = Clock::now();
    if (gaia::bench::round_trip(port, health_request).empty()) return 1;
    health.push_back(us_since(start));
    start = Clock::now();
    const std::string r = gaia::bench::round_trip(port, exec_request);
    exec.push_back(us_since(start));
    if (r.find("\"exit_code\":0") == std::string::npos) {
      std::fprintf(stderr, "unexpected answer:\n%s\n", r.c_str());
      return 1;
    }
  }
  const double b = median(bare), h = median(health), e = median(exec);
  std::printf("runs %d (medians)\n", runs);
  std::printf("bare posix_spawn+waitpid of /bin/true : %8.0f us\n", b);
  std::printf("GET /health round trip                : %8.0f us\n", h);
  std::printf("POST /api/v1/exec /bin/true round trip: %8.0f us\n", e);
  std::printf("server-side executor overhead         : %8.0f us  (exec - health - bare)\n",
              e - h - b);
  return 0;
}
