#pragma once
// Throwaway PostgreSQL 15 servers for tests: initdb into a directory owned by the `postgres`
// system user when the tests run as root (which PostgreSQL refuses), else by the user running
// them; trust authentication, TCP on 127.0.0.1 only (no unix socket), no fsync.
//
// shared_postgres() is the one cluster of a test binary's run:
// - Under ctest it is the binary's fixture (gaia_unit_test(... POSTGRES) in tests/CMakeLists.txt):
//   a setup test runs `gaia_test_postgres_fixture start DIR`, which starts a cluster that
//   outlives it and records it in DIR; every test of the binary finds DIR in the environment
//   variable GAIA_TEST_POSTGRES and attaches to that cluster; a cleanup test runs
//   `gaia_test_postgres_fixture stop DIR`.
// - Run by hand (no GAIA_TEST_POSTGRES, or nothing recorded there), the binary starts a cluster
//   of its own on first use, its child, stopped by a gtest Environment the binary registers
//   (PostgresEnvironment). A binary that runs no PostgreSQL test starts none.
// Every test takes a new database (create_database()), so tests sharing a cluster stay
// independent, even side by side in several processes.
//
// A test that stops and starts the server needs a cluster of its own, PostgresCluster::create():
// other tests use the shared one at the same time.
//
// Not thread-safe: call from the test's main thread.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace gaia::testing {

class PostgresCluster {
 public:
  // Creates and starts a cluster in a new temporary directory, as this process's child: it
  // dies with the process, and the destructor stops it and removes its files. On failure the
  // message says why (with the server's log).
  static std::unique_ptr<PostgresCluster> create(std::string& error);

  // The cluster start_detached() recorded in `dir`, for use by this process (it neither stops
  // nor removes it); nullptr, saying why, if nothing is recorded there.
  static std::unique_ptr<PostgresCluster> attach(const std::filesystem::path& dir,
                                                 std::string& error);

  // Makes `dir` afresh (stopping a cluster that an interrupted run left there), starts a
  // cluster that outlives this process and records how to reach it in `dir`.
  static bool start_detached(const std::filesystem::path& dir, std::string& error);
  // Stops the cluster recorded in `dir` (immediate shutdown, waited for) and removes its files.
  static bool stop_detached(const std::filesystem::path& dir, std::string& error);

  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A new empty database, named uniquely among all processes using the cluster, as a
  // postgresql:// URL for the superuser over TCP.
  std::string create_database();
  // Drops the databases create_database() made here, disconnecting their clients.
  void drop_databases();
  // The URL of an existing database.
  std::string url(const std::string& database) const;
  uint16_t port() const { return port_; }

  // Fast shutdown (clients are disconnected), keeping the data; start() brings it back on
  // the same port. Both wait until done. start() is false if the server did not come up.
  // Only for a cluster of this process (create()): an attached one fails the test.
  void stop();
  bool start();
  bool running() const { return pid_ > 0; }

 private:
  enum class Kind { kChild, kDetached, kAttached };

  explicit PostgresCluster(Kind kind) : kind_(kind) {}
  bool init(const std::filesystem::path& dir, std::string& error);
  bool start_on_some_port(std::string& error);
  std::string log() const;

  Kind kind_;
  std::filesystem::path dir_;  // owned by `postgres`: data/, server.log
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::vector<std::string> databases_;
};

// The binary's shared cluster (see above); aborts the run if it cannot start.
PostgresCluster& shared_postgres();

// Stops the binary's own shared cluster at the end of the run, or drops the databases it made
// in an attached one. Register once per binary:
//   ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

}  // namespace gaia::testing
