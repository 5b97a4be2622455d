#pragma once
// GaiaServerTest: the fixture the integration suites share. It owns a temporary directory,
// runs gaia_server in it the way every suite does (SQLite file gaia.db there, the suite's admin
// key, a loopback port the kernel picks, two I/O threads) and offers what the suites do with it:
// stop it, make a user with a key, and count rows in its database as another process would.
//
// Example:
//   class MyTest : public GaiaServerTest {
//    protected:
//     MyTest() : GaiaServerTest(kAdminKey) {}
//   };
//   TEST_F(MyTest, ...) { start({"GAIA_EXEC_WORKERS=1"}); ... stop(); }

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/server_process.h"
#include "support/temp_dir.h"

namespace gaia::testing {

class GaiaServerTest : public ::testing::Test {
 protected:
  explicit GaiaServerTest(std::string admin_key) : admin_key_(std::move(admin_key)) {}

  // The SQLite file the server keeps its data in.
  std::string db_path() const { return dir_.file("gaia.db"); }

  // Starts gaia_server with `args` on port 0 (port_ is the one it got), its environment the shared
  // one with `extra_env` appended, and waits until it serves. `database_url` replaces the SQLite
  // file when not empty. A server that never reports its health fails the test with its output.
  void start(const std::vector<std::string>& extra_env = {},
             const std::vector<std::string>& args = {}, const std::string& database_url = "");

  // SIGTERM, then expects a clean exit; the server is gone afterwards.
  void stop();

  // Creates user `name` with the JSON `user` through the admin API, then a key from the JSON
  // `key`; returns the new key ("" if either call fails, which fails the test).
  std::string create_user_key(const std::string& name, const std::string& user,
                              const std::string& key = "{}");

  // idle_proc_root(dir_).
  std::string idle_proc_root();

  // The first column of the first row `sql` yields on db_path(), or -1 when there is none.
  int64_t count_rows(const std::string& sql) const;

  std::string admin_key_;  // GAIA_ADMIN_KEY of the next start()
  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<ServerProcess> server_;
};

// A server test whose server reads a fake /proc under dir_/proc (pass GAIA_PROC_ROOT=dir_
// to start()): CPU never moves, memory is what set_memory_used_pct() says.
class FakeProcServerTest : public GaiaServerTest {
 protected:
  using GaiaServerTest::GaiaServerTest;
  void SetUp() override;
  void set_memory_used_pct(int pct);
  // Replaces dir_/`relative` whole: the sampler never reads half a file.
  void write_file(const std::string& relative, const std::string& text);
};

}  // namespace gaia::testing
