// Runs the built gaia_server binary as a user would: start-up lines, /health, SIGTERM.

#include "support/server_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <sstream>
#include <string>

#include "support/raw_http_client.h"

namespace gaia::app {
namespace {

using testing::ServerProcess;

class ServerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gaia_server_process_test_" + std::to_string(::getpid()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string db_path() const { return (dir_ / "data" / "gaia.db").string(); }
  std::filesystem::path dir_;
};

TEST_F(ServerProcessTest, StartsServesHealthAndStopsCleanlyOnSigterm) {
  ServerProcess server({"--port", "0", "--threads", "2", "--exec-workers", "2"},
                       {"DATABASE_URL=sqlite:" + db_path(), "GAIA_BIND=127.0.0.1"});
  ASSERT_TRUE(server.running());
  std::optional<uint16_t> got = server.read_port();
  ASSERT_TRUE(got) << server.stdout_ << server.stderr_;
  const uint16_t port = *got;
  auto health_line = server.read_line_starting("[INFO] Health:");
  ASSERT_TRUE(health_line) << server.stdout_;
  std::string where = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(*health_line, "[INFO] Health: http://" + where + "/health");
  // A first start makes the admin key and prints it once.
  const std::string kKeyPrefix = "[INIT] Admin key (shown only this once, keep it): gaia_";
  size_t key_at = server.stdout_.find(kKeyPrefix);
  ASSERT_NE(key_at, std::string::npos) << server.stdout_;
  std::string key_line = server.stdout_.substr(key_at, server.stdout_.find('\n', key_at) - key_at);
  EXPECT_EQ(key_line.size(), kKeyPrefix.size() + 43);
  // The start-up lines in order; the executor's and the policy's end with what this machine
  // and store offer.
  const std::vector<std::string> expected = {"[INIT] Initializing SQLite database...",
                                             "[INIT] ✓ Database connection established",
                                             key_line,
                                             "[INIT] Initializing Rate Limiting Service...",
                                             "[INIT] ✓ Rate Limiting Service initialized",
                                             "[INIT] ✓ Confirmation policy: ",
                                             "[INIT] ✓ Alerts: 13 of 17 rules enabled, every 10 s, "
                                             "webhook off",
                                             "[INIT] ✓ Analytics: aggregates flushed every 10 s",
                                             "[INIT] ✓ Executor: 2 workers, ",
                                             "[INIT] ✓ HTTP: 2 io threads, at most 10000 "
                                             "connections (1000 per client); blocking pools",
                                             "[INIT] ✓ Dashboard: ",
                                             "[INFO] Starting HTTP server on " + where,
                                             "[INFO] Dashboard: http://" + where + "/admin/quotas",
                                             "[INFO] Dashboard sign-in: an admin key (the one "
                                             "printed at the first start, or set GAIA_ADMIN_KEY)",
                                             *health_line};
  std::istringstream lines(server.stdout_);
  std::string line;
  for (const std::string& want : expected) {
    ASSERT_TRUE(std::getline(lines, line)) << server.stdout_;
    line = gaia::testing::log_message(line);
    EXPECT_EQ(line.substr(0, want.size()), want) << server.stdout_;
  }
  EXPECT_FALSE(std::getline(lines, line)) << server.stdout_;
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "data"));

  auto res = gaia::testing::http_get(port, "/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto body = boost::json::parse(res->body).as_object();
  EXPECT_EQ(body.at("status"), "ok");
  EXPECT_EQ(body.at("version"), "0.1.0");
  EXPECT_TRUE(body.at("uptime_seconds").is_int64());
  EXPECT_FALSE(body.contains("store"));  // liveness shows no path: the details are admins'

  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0) << server.stderr_;
  EXPECT_NE(server.stdout_.find("[INFO] Shutting down\n"), std::string::npos);
}

TEST_F(ServerProcessTest, InvalidSettingExits2NamingIt) {
  ServerProcess server({}, {"PORT=eighty"});
  ASSERT_TRUE(server.running());
  EXPECT_EQ(server.wait_exit(), 2);
  EXPECT_NE(server.stderr_.find("PORT"), std::string::npos) << server.stderr_;
  EXPECT_NE(server.stderr_.find("eighty"), std::string::npos) << server.stderr_;
  EXPECT_EQ(server.stdout_, "");
}

TEST_F(ServerProcessTest, HelpExits0) {
  ServerProcess server({"--help"}, {});
  ASSERT_TRUE(server.running());
  EXPECT_EQ(server.wait_exit(), 0);
  EXPECT_NE(server.stdout_.find("--port"), std::string::npos);
}

}  // namespace
}  // namespace gaia::app
