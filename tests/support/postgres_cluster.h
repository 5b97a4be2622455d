#pragma once
// A throwaway PostgreSQL 15 server for tests: initdb into a fresh temporary directory owned
// by the `postgres` system user when the tests run as root (which PostgreSQL refuses), else
// by the user running them; trust authentication, listening on 127.0.0.1 on a free port
// with its own unix socket directory.
// The server is the test process's child and dies with it; the destructor stops it and
// removes its files. Several test processes may each run one at once (ctest -j).
//
// shared_postgres() is the one cluster of a test binary, started on first use and stopped by
// a gtest Environment the binary registers (PostgresEnvironment), so a binary that runs no
// PostgreSQL test starts none.
//
// Not thread-safe: call from the test's main thread.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace gaia::testing {

class PostgresCluster {
 public:
  // Creates and starts a cluster; on failure the message says why (with the server's log).
  static std::unique_ptr<PostgresCluster> create(std::string& error);
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A new empty database, as a postgresql:// URL for the superuser over TCP.
  std::string create_database();
  // The URL of an existing database.
  std::string url(const std::string& database) const;
  uint16_t port() const { return port_; }

  // Fast shutdown (clients are disconnected), keeping the data; start() brings it back on
  // the same port. Both wait until done. start() is false if the server did not come up.
  void stop();
  bool start();
  bool running() const { return pid_ > 0; }

 private:
  PostgresCluster() = default;
  bool init(std::string& error);
  std::string log() const;

  std::filesystem::path dir_;  // owned by `postgres`: data/, the socket, server.log
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int databases_ = 0;
};

// The binary's shared cluster; fails the current test (fatally) if it cannot start.
PostgresCluster& shared_postgres();

// Stops the shared cluster at the end of the run. Register once per binary:
//   ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

}  // namespace gaia::testing
