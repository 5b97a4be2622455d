// Load generator: Envoy's ShouldRateLimit (gRPC, callback client) against POST /api/v1/check
// (HTTP/1.1 keep-alive) of one running gaia_server, the same key and command type, in turns,
// in one run. Prints calls per second, p50 and p99 of each phase and their ratio.
//
//   rls_load --grpc-port P --http-port Q --key K [--type shell] [--seconds 5]
//            [--concurrency 32] [--channels 4] [--rounds 3]
//
// HTTP: `concurrency` connections, one thread each, one request in flight per connection.
// gRPC: `concurrency` calls in flight over `channels` HTTP/2 connections, reissued from their
// completion callbacks. See bench/rls_load.sh, which starts the server and runs this.

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "envoy/service/ratelimit/v3/rls.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace v3 = envoy::service::ratelimit::v3;

struct Options {
  int grpc_port = 0;
  int http_port = 0;
  std::string key;
  std::string type = "shell";
  int seconds = 5;
  int concurrency = 32;
  int channels = 4;
  int rounds = 3;
};

struct Phase {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  uint64_t errors = 0;
};

Phase summarize(std::vector<double>& micros, double seconds, uint64_t errors) {
  Phase p;
  p.errors = errors;
  if (micros.empty()) return p;
  std::sort(micros.begin(), micros.end());
  p.per_second = static_cast<double>(micros.size()) / seconds;
  p.p50_us = micros[micros.size() / 2];
  p.p99_us = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
  return p;
}

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// --- HTTP -----------------------------------------------------------------------------------

int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads one response (headers and a Content-Length body) into `buf`; false on EOF or error.
bool read_response(int fd, std::string& buf) {
  buf.clear();
  char chunk[4096];
  size_t need = std::string::npos;
  for (;;) {
    if (need == std::string::npos) {
      size_t end = buf.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t cl = buf.find("Content-Length: ");
        if (cl == std::string::npos) cl = buf.find("content-length: ");
        size_t body =
            cl == std::string::npos ? 0 : std::strtoul(buf.c_str() + cl + 16, nullptr, 10);
        need = end + 4 + body;
      }
    }
    if (need != std::string::npos && buf.size() >= need) return true;
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
  }
}

Phase run_http(const Options& o) {
  const std::string body = "{\"type\":\"" + o.type + "\"}";
  const std::string request =
      "POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
      "Bearer " +
      o.key +
      "\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  std::vector<std::vector<double>> latencies(o.concurrency);
  std::atomic<uint64_t> errors{0};
  const auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.concurrency; ++i) {
    threads.emplace_back([&, i] {
      int fd = connect_loopback(o.http_port);
      std::string buf;
      while (fd >= 0 && Clock::now() < deadline) {
        const auto start = Clock::now();
        if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()) ||
            !read_response(fd, buf)) {
          errors.fetch_add(1);
          break;
        }
        if (buf.compare(9, 3, "200") != 0 && buf.compare(9, 3, "429") != 0) errors.fetch_add(1);
        latencies[i].push_back(micros_since(start));
      }
      if (fd >= 0) close(fd);
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return summarize(all, o.seconds, errors.load());
}

// --- gRPC -----------------------------------------------------------------------------------

// One call slot: a call in flight, reissued from its own completion until the deadline.
struct Slot {
  v3::RateLimitService::Stub* stub = nullptr;
  v3::RateLimitRequest request;
  v3::RateLimitResponse response;
  std::unique_ptr<grpc::ClientContext> context;
  Clock::time_point started;
  std::vector<double> latencies;
  uint64_t errors = 0;
};

Phase run_grpc(const Options& o) {
  std::vector<std::unique_ptr<v3::RateLimitService::Stub>> stubs;
  for (int i = 0; i < o.channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per channel
    args.SetInt("gaia.bench.channel", i);
    stubs.push_back(v3::RateLimitService::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(o.grpc_port), grpc::InsecureChannelCredentials(), args)));
  }
  const auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
  std::mutex mu;
  std::condition_variable done_cv;
  int running = o.concurrency;
  std::vector<Slot> slots(o.concurrency);
  std::function<void(Slot&)> issue = [&](Slot& s) {
    s.context = std::make_unique<grpc::ClientContext>();
    s.started = Clock::now();
    s.stub->async()->ShouldRateLimit(s.context.get(), &s.request, &s.response,
                                     [&, slot = &s](grpc::Status status) {
                                       slot->latencies.push_back(micros_since(slot->started));
                                       if (!status.ok()) ++slot->errors;
                                       if (Clock::now() < deadline) return issue(*slot);
                                       std::lock_guard<std::mutex> lock(mu);
                                       if (--running == 0) done_cv.notify_one();
                                     });
  };
  for (int i = 0; i < o.concurrency; ++i) {
    Slot& s = slots[i];
    s.stub = stubs[i % o.channels].get();
    s.request.set_domain("gaia");
    auto* d = s.request.add_descriptors();
    auto* key = d->add_entries();
    key->set_key("api_key");
    key->set_value(o.key);
    auto* type = d->add_entries();
    type->set_key("type");
    type->set_value(o.type);
  }
  for (Slot& s : slots) issue(s);
  {
    std::unique_lock<std::mutex> lock(mu);
    done_cv.wait(lock, [&] { return running == 0; });
  }
  std::vector<double> all;
  uint64_t errors = 0;
  for (Slot& s : slots) {
    all.insert(all.end(), s.latencies.begin(), s.latencies.end());
    errors += s.errors;
  }
  return summarize(all, o.seconds, errors);
}

Options parse(int argc, char** argv) {
  Options o;
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  auto num = [&](const char* name, int fallback) {
    return args.count(name) ? std::atoi(args[name].c_str()) : fallback;
  };
  o.grpc_port = num("--grpc-port", 0);
  o.http_port = num("--http-port", 0);
  o.key = args["--key"];
  if (args.count("--type")) o.type = args["--type"];
  o.seconds = num("--seconds", o.seconds);
  o.concurrency = num("--concurrency", o.concurrency);
  o.channels = std::max(1, num("--channels", o.channels));
  o.rounds = num("--rounds", o.rounds);
  if (o.grpc_port == 0 || o.http_port == 0 || o.key.empty()) {
    std::fprintf(stderr,
                 "usage: rls_load --grpc-port P --http-port Q --key K [--type shell] "
                 "[--seconds 5] [--concurrency 32] [--channels 4] [--rounds 3]\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::printf("| round | HTTP check/s | p50 | p99 | ShouldRateLimit/s | p50 | p99 | ratio |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<double> ratios;
  for (int round = 1; round <= o.rounds; ++round) {
    const Phase http = run_http(o);
    const Phase grpc = run_grpc(o);
    const double ratio = http.per_second > 0 ? grpc.per_second / http.per_second : 0;
    ratios.push_back(ratio);
    std::printf("| %d | %.0f | %.0f µs | %.0f µs | %.0f | %.0f µs | %.0f µs | %.2f |\n", round,
                http.per_second, http.p50_us, http.p99_us, grpc.per_second, grpc.p50_us,
                grpc.p99_us, ratio);
    if (http.errors + grpc.errors > 0) {
      std::printf("errors: HTTP %lu, gRPC %lu\n", static_cast<unsigned long>(http.errors),
                  static_cast<unsigned long>(grpc.errors));
    }
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("\nmedian ratio ShouldRateLimit/s : HTTP check/s = %.2f\n",
              ratios[ratios.size() / 2]);
  return 0;
}
