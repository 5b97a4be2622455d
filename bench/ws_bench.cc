// ws_bench: the server's CPU cost of the admin WebSocket feed with many clients connected.
//
// The server (this process: a Server with the real /ws/admin/quotas route, WsHub, SQLite
// directory) starts, then runs a copy of itself as the client process, which opens --clients
// WebSocket connections (Authorization: Bearer) and reads every message. Once every client is
// authenticated, the server's own CPU time (getrusage, all threads) is measured over
// --seconds of wall time while the hub sends stats every --interval-ms and pings every 10 s.
//
//   ws_bench [--clients=1000] [--seconds=60] [--interval-ms=5000] [--io-threads=2]
//
// Prints the server's CPU as a percentage of one core, and messages sent and received.

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/ws_routes.h"
#include "http/server.h"
#include "http/ws_hub.h"
#include "store/sqlite/sqlite_store.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;
using gaia::http::WsHub;

class RealClock : public gaia::core::Clock {
 public:
  gaia::core::MonoTime mono_now() const override { return std::chrono::steady_clock::now(); }
  gaia::core::WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

long arg(int argc, char** argv, const std::string& name, long fallback) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--" + name + "=", 0) == 0) return std::stol(a.substr(name.size() + 3));
  }
  return fallback;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// ---- client process -----------------------------------------------------------------------

struct Client : std::enable_shared_from_this<Client> {
  explicit Client(asio::io_context& ioc) : ws(ioc) {}
  websocket::stream<asio::ip::tcp::socket> ws;
  beast::flat_buffer buffer;
};

// Connects `n` clients to 127.0.0.1:port, reads until stdin closes, prints the messages read.
int run_clients(uint16_t port, long n, const std::string& key) {
  asio::io_context ioc(1);
  std::atomic<long> received = 0, ready = 0, failed = 0;
  std::vector<std::shared_ptr<Client>> clients;
  asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  for (long i = 0; i < n; ++i) {
    auto c = std::make_shared<Client>(ioc);
    clients.push_back(c);
    c->ws.next_layer().async_connect(server, [c, key, port, &received, &ready,
                                              &failed](beast::error_code ec) {
      if (ec) return void(++failed);
      c->ws.set_option(websocket::stream_base::decorator([key](websocket::request_type& r) {
        r.set(beast::http::field::authorization, "Bearer " + key);
      }));
      c->ws.async_handshake(
          "127.0.0.1:" + std::to_string(port), "/ws/admin/quotas",
          [c, &received, &ready, &failed](beast::error_code ec2) {
            if (ec2) return void(++failed);
            ++ready;
            auto read = std::make_shared<std::function<void()>>();
            *read = [c, read, &received] {
              c->ws.async_read(c->buffer, [c, read, &received](beast::error_code e, std::size_t) {
                if (e) return;
                ++received;
                c->buffer.clear();
                (*read)();
              });
            };
            (*read)();
          });
    });
  }
  // Stdin closing (the server process is done measuring) ends the run.
  asio::posix::stream_descriptor in(ioc, ::dup(STDIN_FILENO));
  char byte;
  in.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code, std::size_t) { ioc.stop(); });
  ioc.run();
  std::printf("clients: connected=%ld failed=%ld messages_received=%ld\n", ready.load(),
              failed.load(), received.load());
  return 0;
}

// ---- server process -----------------------------------------------------------------------

// Roughly what the application's provider sends: check totals by type and a top-users list.
boost::json::object stats(std::atomic<uint64_t>& calls) {
  boost::json::object by_type;
  for (const char* t : {"shell", "code", "test", "review", "refactor"}) {
    by_type[t] = {{"admitted", 123456}, {"refused", 789}};
  }
  boost::json::array top;
  for (int i = 0; i < 10; ++i) {
    top.push_back(boost::json::object{{"user", "user" + std::to_string(i)}, {"checks", 1000 - i}});
  }
  return {{"admissions", 617280 + calls++},
          {"refusals", 3945},
          {"running", 12},
          {"queued", 3},
          {"by_type", std::move(by_type)},
          {"top_users", std::move(top)}};
}

}  // namespace

int main(int argc, char** argv) {
  const long clients = arg(argc, argv, "clients", 1000);
  if (const char* port = std::getenv("GAIA_WS_BENCH_PORT")) {
    return run_clients(static_cast<uint16_t>(std::atoi(port)), clients,
                       std::getenv("GAIA_WS_BENCH_KEY"));
  }
  const long seconds = arg(argc, argv, "seconds", 60);
  const long interval_ms = arg(argc, argv, "interval-ms", 5000);
  const long io_threads = arg(argc, argv, "io-threads", 2);

  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;  // a thousand sockets on each side
  setrlimit(RLIMIT_NOFILE, &nofile);

  RealClock clock;
  auto dir = std::filesystem::temp_directory_path() / ("gaia-ws-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto store = gaia::store::sqlite::SqliteStore::open((dir / "gaia.db").string(), clock);
  auto hasher = gaia::identity::KeyHasher::from_file((dir / "key.secret").string());
  if (!store.ok() || !hasher.ok()) return 1;
  auto directory = gaia::identity::Directory::load(*store.value(), hasher.value());
  if (!directory.ok()) return 1;
  (void)directory.value()->create_user("admin", gaia::core::Tier::kDefault, 0);
  std::string key =
      directory.value()->create_key("admin", gaia::store::Role::kAdmin, "bench", 0).value().key;

  std::atomic<uint64_t> calls = 0;
  gaia::http::WsHubOptions o;
  o.stats_interval = std::chrono::milliseconds(interval_ms);
  WsHub hub(
      clock, [&calls] { return stats(calls); }, gaia::api::admin_key_check(*directory.value()),
      gaia::api::admin_credential_check(*directory.value()), o);
  gaia::http::Router router;
  gaia::api::add_ws_routes(router, hub, *directory.value());
  gaia::http::Server server({.port = 0, .io_threads = static_cast<unsigned>(io_threads)},
                            std::move(router));
  if (!server.start().ok()) return 1;
  hub.start();

  // Everything the child needs is built before fork(): between fork and exec a child of a
  // threaded process may only make async-signal-safe calls.
  std::string clients_arg = "--clients=" + std::to_string(clients);
  std::vector<std::string> env_strings = {"GAIA_WS_BENCH_PORT=" + std::to_string(server.port()),
                                          "GAIA_WS_BENCH_KEY=" + key};
  std::vector<char*> child_argv = {argv[0], clients_arg.data(), nullptr};
  std::vector<char*> child_env;
  for (char** e = environ; *e != nullptr; ++e) child_env.push_back(*e);
  for (std::string& e : env_strings) child_env.push_back(e.data());
  child_env.push_back(nullptr);
  int to_child[2];
  if (pipe(to_child) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    dup2(to_child[0], STDIN_FILENO);
    close(to_child[1]);
    execve("/proc/self/exe", child_argv.data(), child_env.data());
    _exit(127);
  }
  close(to_child[0]);

  auto connect_start = std::chrono::steady_clock::now();
  while (hub.health().clients < static_cast<uint64_t>(clients) &&
         std::chrono::steady_clock::now() - connect_start < 120s) {
    std::this_thread::sleep_for(50ms);
  }
  std::printf(
      "server: %lu clients authenticated in %.1f s\n",
      static_cast<unsigned long>(hub.health().clients),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - connect_start).count());

  const auto sent_before = hub.health().messages_sent;
  const double cpu_before = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double cpu = cpu_seconds() - cpu_before;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto h = hub.health();

  std::printf(
      "server: clients=%lu interval=%ld ms window=%.1f s cpu=%.3f s -> %.2f %% of one core; "
      "messages_sent=%lu dropped=%lu closed_slow=%lu stats_rounds=%lu\n",
      static_cast<unsigned long>(h.clients), interval_ms, wall, cpu, 100.0 * cpu / wall,
      static_cast<unsigned long>(h.messages_sent - sent_before),
      static_cast<unsigned long>(h.dropped), static_cast<unsigned long>(h.closed_slow),
      static_cast<unsigned long>(calls.load()));
  std::fflush(stdout);

  close(to_child[1]);  // the client process prints its count and exits
  int status = 0;
  waitpid(child, &status, 0);
  hub.stop();
  server.stop();
  std::filesystem::remove_all(dir);
  return 0;
}
