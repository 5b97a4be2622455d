// Load generator: Envoy's ShouldRateLimit (gRPC, completion-queue client) against POST
// /api/v1/check (HTTP/1.1 keep-alive) of one running gaia_server, the same key and command type, in
// turns, in one run. Prints calls per second, p50 and p99 of each phase and their ratio.
//
//   rls_load --grpc-port P --http-port Q --key K [--type shell] [--seconds 5]
//            [--concurrency 32] [--channels 4] [--grpc-threads 1] [--rounds 3]
//            [--server-pid PID] [--only http|grpc]
//
// The generator shares the machine with the server, and a gRPC client costs more CPU than a
// raw HTTP/1.1 one; with --server-pid it also reports the server's own CPU time per phase
// (/proc/PID/stat), and the calls answered per second of server CPU.
//
// HTTP: `concurrency` connections, one thread each, one request in flight per connection.
// gRPC: `concurrency` calls in flight over `channels` HTTP/2 connections, polled by
// `grpc-threads` threads, each on its own completion queue, each call reissued as it completes.
// The request is serialized once (a call sends the same bytes, as Envoy sends one descriptor
// set again and again) and the answers' bytes are not decoded (the HTTP side only reads the
// status line): what is left is each protocol's own cost. See bench/rls_load.sh, which starts
// the server and runs this.

#include <absl/synchronization/mutex.h>
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "envoy/service/ratelimit/v3/rls.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace v3 = envoy::service::ratelimit::v3;

struct Options {
  int server_pid = 0;
  int grpc_port = 0;
  int http_port = 0;
  std::string key;
  std::string type = "shell";
  int seconds = 5;
  int concurrency = 32;
  int channels = 4;
  int grpc_threads = 1;
  int rounds = 3;
  std::string only;  // "http" or "grpc": that phase alone (to profile one side)
};

struct Phase {
  double server_cpu_s = 0;            // the server's user + system CPU during the phase
  double client_cpu_us_per_call = 0;  // this load generator's, per call answered
  double per_cpu_second = 0;
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

// The server's user + system CPU time so far, in seconds; 0 without --server-pid.
double server_cpu_seconds(int pid) {
  if (pid == 0) return 0;
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return 0;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // Fields after the command name (which may hold spaces), from field 3: utime is 14, stime 15.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return 0;
  unsigned long utime = 0, stime = 0;
  std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// This process's user + system CPU time so far, in seconds.
double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `phase`, adding the server's CPU time it took, and the load generator's own per call.
template <class Run>
Phase measured(const Options& o, Run run) {
  const double before = server_cpu_seconds(o.server_pid);
  const double own_before = own_cpu_seconds();
  Phase p = run(o);
  p.server_cpu_s = server_cpu_seconds(o.server_pid) - before;
  if (p.server_cpu_s > 0) p.per_cpu_second = p.per_second * o.seconds / p.server_cpu_s;
  if (p.per_second > 0) {
    p.client_cpu_us_per_call = (own_cpu_seconds() - own_before) * 1e6 / (p.per_second * o.seconds);
  }
  return p;
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

constexpr char kMethod[] = "/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit";

// One call in flight, reissued on its thread's completion queue until the deadline.
struct Slot {
  grpc::GenericStub* stub = nullptr;
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> reader;
  grpc::ByteBuffer response;
  grpc::Status status;
  Clock::time_point started;
};

// The calls of one polling thread: `slots`, on its own completion queue. The request is
// serialized once; each call takes a reference to its bytes. An answer counts when its status
// is OK (as the HTTP side counts a 200 or 429); its bytes are read off the wire, not decoded.
void poll_calls(std::span<Slot> slots, const grpc::ByteBuffer& request, Clock::time_point deadline,
                std::vector<double>& latencies, uint64_t& errors) {
  grpc::CompletionQueue cq;
  const auto issue = [&](Slot& s) {
    s.context = std::make_unique<grpc::ClientContext>();
    s.started = Clock::now();
    s.reader = s.stub->PrepareUnaryCall(s.context.get(), kMethod, request, &cq);
    s.reader->StartCall();
    s.reader->Finish(&s.response, &s.status, &s);
  };
  for (Slot& s : slots) issue(s);
  size_t running = slots.size();
  void* tag = nullptr;
  bool ok = false;
  while (running > 0 && cq.Next(&tag, &ok)) {
    Slot& s = *static_cast<Slot*>(tag);
    latencies.push_back(micros_since(s.started));
    if (!ok || !s.status.ok()) ++errors;
    if (Clock::now() < deadline) {
      issue(s);
    } else {
      --running;
    }
  }
  for (Slot& s : slots) {
    s.reader.reset();
    s.context.reset();
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

Phase run_grpc(const Options& o) {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < o.channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per channel
    args.SetInt("gaia.bench.channel", i);
    // Envoy retries nothing of gRPC's own; without retries a call skips the retry filter.
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    stubs.push_back(std::make_unique<grpc::GenericStub>(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(o.grpc_port), grpc::InsecureChannelCredentials(), args)));
  }
  v3::RateLimitRequest message;
  message.set_domain("gaia");
  auto* d = message.add_descriptors();
  auto* key = d->add_entries();
  key->set_key("api_key");
  key->set_value(o.key);
  auto* type = d->add_entries();
  type->set_key("type");
  type->set_value(o.type);
  const std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  const grpc::ByteBuffer request(&slice, 1);

  std::vector<Slot> slots(o.concurrency);
  for (int i = 0; i < o.concurrency; ++i) slots[i].stub = stubs[i % o.channels].get();
  const int threads = std::clamp(o.grpc_threads, 1, o.concurrency);
  std::vector<std::vector<double>> latencies(threads);
  std::vector<uint64_t> errors(threads);
  const auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
  std::vector<std::thread> pollers;
  for (int t = 0; t < threads; ++t) {
    // Thread t takes an equal run of the slots (and so calls on every channel).
    const size_t from = slots.size() * t / threads;
    const size_t to = slots.size() * (t + 1) / threads;
    pollers.emplace_back([&, t, from, to] {
      poll_calls(std::span<Slot>(slots).subspan(from, to - from), request, deadline, latencies[t],
                 errors[t]);
    });
  }
  for (std::thread& t : pollers) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  uint64_t error_count = 0;
  for (uint64_t e : errors) error_count += e;
  return summarize(all, o.seconds, error_count);
}

Options parse(int argc, char** argv) {
  Options o;
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  auto num = [&](const char* name, int fallback) {
    return args.count(name) ? std::atoi(args[name].c_str()) : fallback;
  };
  o.server_pid = num("--server-pid", 0);
  o.grpc_port = num("--grpc-port", 0);
  o.http_port = num("--http-port", 0);
  o.key = args["--key"];
  if (args.count("--type")) o.type = args["--type"];
  o.seconds = num("--seconds", o.seconds);
  o.concurrency = num("--concurrency", o.concurrency);
  o.channels = std::max(1, num("--channels", o.channels));
  o.grpc_threads = num("--grpc-threads", o.grpc_threads);
  o.rounds = num("--rounds", o.rounds);
  o.only = args["--only"];
  if (o.grpc_port == 0 || o.http_port == 0 || o.key.empty()) {
    std::fprintf(stderr,
                 "usage: rls_load --grpc-port P --http-port Q --key K [--type shell] "
                 "[--seconds 5] [--concurrency 32] [--channels 4] [--grpc-threads 1] [--rounds 3] "
                 "[--server-pid PID] [--only http|grpc]\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  // As gaia_server does (rls/rls_server.cc): no deadlock-cycle check on every gRPC lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::printf(
      "| round | HTTP check/s | p50 | p99 | per server CPU-s | ShouldRateLimit/s | p50 | p99 | "
      "per server CPU-s | ratio | ratio per CPU-s |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<double> ratios;
  std::vector<double> cpu_ratios;
  for (int round = 1; round <= o.rounds; ++round) {
    const Phase http = o.only == "grpc" ? Phase{} : measured(o, run_http);
    const Phase grpc = o.only == "http" ? Phase{} : measured(o, run_grpc);
    const double ratio = http.per_second > 0 ? grpc.per_second / http.per_second : 0;
    const double cpu_ratio =
        http.per_cpu_second > 0 ? grpc.per_cpu_second / http.per_cpu_second : 0;
    ratios.push_back(ratio);
    cpu_ratios.push_back(cpu_ratio);
    std::printf(
        "| %d | %.0f | %.0f µs | %.0f µs | %.0f | %.0f | %.0f µs | %.0f µs | %.0f | %.2f | %.2f "
        "|\n",
        round, http.per_second, http.p50_us, http.p99_us, http.per_cpu_second, grpc.per_second,
        grpc.p50_us, grpc.p99_us, grpc.per_cpu_second, ratio, cpu_ratio);
    std::printf("load generator CPU per call: HTTP %.1f µs, gRPC %.1f µs\n",
                http.client_cpu_us_per_call, grpc.client_cpu_us_per_call);
    if (http.errors + grpc.errors > 0) {
      std::printf("errors: HTTP %lu, gRPC %lu\n", static_cast<unsigned long>(http.errors),
                  static_cast<unsigned long>(grpc.errors));
    }
  }
  std::sort(ratios.begin(), ratios.end());
  std::sort(cpu_ratios.begin(), cpu_ratios.end());
  std::printf(
      "\nmedian ShouldRateLimit : HTTP check = %.2f per second, %.2f per server CPU-second\n",
      ratios[ratios.size() / 2], cpu_ratios[cpu_ratios.size() / 2]);
  return 0;
}
