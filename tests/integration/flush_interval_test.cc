// The store's flush interval (GAIA_STORE_FLUSH_MS) against kill -9: admissions made through
// the real server, the server killed, restarted, and the usage it restored counted.

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "integration-admin-key-0123456789abcdef";

class FlushIntervalTest : public GaiaServerTest {
 protected:
  FlushIntervalTest() : GaiaServerTest(kAdminKey) {}

  // Admits `n` shell checks of `key`, each answered 200 before the next is sent.
  void admit(const std::string& key, int n) {
    for (int i = 0; i < n; ++i) {
      auto r = http_request(port_, "POST", "/api/v1/check", key, R"({"type":"shell"})");
      ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    }
  }

  void kill_and_restart(const std::vector<std::string>& env) {
    server_->signal(SIGKILL);
    server_->wait_exit();
    server_.reset();
    start(env);
  }

  // The shell units of the day the restarted server counts as used (its quota of 500).
  int64_t used_shell_day(const std::string& key) {
    auto q = http_request(port_, "GET", "/api/v1/quota", key, "");
    EXPECT_TRUE(q && q->status == 200);
    const boost::json::value status = boost::json::parse(q->body);
    for (const auto& line : status.at("quotas").as_array()) {
      if (line.at("policy") == "shell-day") return 500 - line.at("remaining").as_int64();
    }
    return -1;
  }

  int64_t stored_shell_units() const {
    return count_rows("SELECT COALESCE(SUM(used), 0) FROM quota_usage WHERE type = 'shell'");
  }
};

TEST_F(FlushIntervalTest, AtZeroEveryAnsweredAdmissionSurvivesAKillNine) {
  const std::vector<std::string> env = {"GAIA_STORE_FLUSH_MS=0"};
  start(env);
  const std::string key = create_user_key("alice", R"({"name":"alice"})");
  admit(key, 100);
  kill_and_restart(env);
  EXPECT_EQ(used_shell_day(key), 100);
}

TEST_F(FlushIntervalTest, AtTheDefaultAKillNineLosesAtMostWhatFollowedTheLastCommit) {
  start();
  const std::string key = create_user_key("alice", R"({"name":"alice"})");
  admit(key, 100);
  // Within one flush interval the first hundred are committed...
  ASSERT_TRUE(eventually([&] { return stored_shell_units() == 100; }, std::chrono::seconds(10),
                         std::chrono::milliseconds(10)));
  // ...and the next hundred, killed before or after their commit, are all that may be lost.
  admit(key, 100);
  kill_and_restart({});
  const int64_t used = used_shell_day(key);
  EXPECT_GE(used, 100);
  EXPECT_LE(used, 200);
}

}  // namespace
}  // namespace gaia::testing
