#pragma once
// Throwaway redis-server processes for tests, on a free loopback port, with no persistence
// (nothing is saved: a restart comes back empty, as a Redis that lost its data does).
//
// RedisServer::create() is a server of the test's own, its child (it dies with the test), for
// tests that pause, kill, restart or reconfigure it. shared_redis() is the one server of a
// test binary's run, for tests that only read and write keys of their own:
// - Under ctest it is the binary's fixture (gaia_unit_test(... REDIS) in tests/CMakeLists.txt):
//   a setup test runs `gaia_test_redis_fixture start DIR`, which starts a server that outlives
//   it and records it in DIR; the tests find DIR in GAIA_TEST_REDIS; a cleanup test runs
//   `gaia_test_redis_fixture stop DIR`.
// - Run by hand, the binary starts a server of its own on first use.
//
// Not thread-safe: call from the test's main thread.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace gaia::testing {

struct RedisServerOptions {
  std::string password;                         // requirepass; empty: none
  std::string maxmemory_policy = "noeviction";  // Redis's own default
};

class RedisServer {
 public:
  // Starts a server of this process's own; nullptr, saying why (with its log), on failure.
  static std::unique_ptr<RedisServer> create(const RedisServerOptions& options, std::string& error);
  // Starts a server that outlives this process and records it in `dir` (made afresh).
  static bool start_detached(const std::filesystem::path& dir, std::string& error);
  // Stops the server recorded in `dir` and removes `dir`.
  static bool stop_detached(const std::filesystem::path& dir, std::string& error);

  ~RedisServer();  // kills a server of this process's own and removes its files
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  uint16_t port() const { return port_; }
  // redis://[:password@]127.0.0.1:port[/database]
  std::string url(int database = 0) const;

  // SIGSTOP / SIGCONT: the server keeps its connections and answers nothing meanwhile.
  void pause();
  void resume();
  // SIGKILL, waited for: every connection drops at once.
  void kill();
  // Starts it again, empty, on the same port. False if it did not come up.
  bool restart();

  // Runs one command with redis-cli, for what a test sets up or checks out of band; its
  // output without the trailing newline.
  std::string cli(const std::vector<std::string>& args) const;

 private:
  RedisServer() = default;
  bool launch(std::string& error);
  std::string log() const;

  RedisServerOptions options_;
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool own_ = true;  // false: attached to a fixture's server, which it neither stops nor removes
  friend RedisServer& shared_redis();
};

// The binary's shared server (see above); aborts the run if it cannot start.
RedisServer& shared_redis();

}  // namespace gaia::testing
