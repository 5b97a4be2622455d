// What one user's traffic may cost everyone else, bounded: a refused command is stored as a
// capped prefix and hash, refusals are deleted after their retention, a report's range cannot
// overflow its checks, and a flood of long refusals neither floods nor closes an admin's live
// feed. The real gaia_server on a temporary SQLite file.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>

#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"
#include "support/ws_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "bounded-test-admin-key-0123456789abcdef012";
constexpr size_t kCommandCap = 1024;

class BoundedTest : public GaiaServerTest {
 protected:
  BoundedTest() : GaiaServerTest(kAdminKey) {}

  RawResponse call(std::string_view method, std::string_view path, std::string_view key,
                   std::string_view body = {}) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << ": no answer";
    return r ? *r : RawResponse{};
  }
  std::string user_key(const std::string& name) {
    return create_user_key(name, R"({"name":")" + name + R"("})", R"({"role":"user"})");
  }
  // A check no quota can admit (cost past every daily limit), carrying `command`.
  RawResponse refused_check(const std::string& key, const std::string& command) {
    return call("POST", "/api/v1/check", key,
                R"({"type":"shell","cost":100000,"command":")" + command + R"("})");
  }
  // Runs `sql` on the server's database while it is stopped.
  void write_sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
};

TEST_F(BoundedTest, ARefusedLongCommandIsStoredAsACappedPrefixAndHash) {
  start();
  const std::string key = user_key("mallory");
  const std::string command = "echo " + std::string(60'000, 'z');
  EXPECT_EQ(refused_check(key, command).status, 429);
  stop();  // everything queued is written
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations"), 1);
  EXPECT_LE(count_rows("SELECT LENGTH(CAST(command AS BLOB)) FROM violations"),
            static_cast<int64_t>(kCommandCap));
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations WHERE command LIKE 'echo zzz%' AND "
                       "command LIKE '%[60005 bytes, sha256 %]'"),
            1);
}

TEST_F(BoundedTest, ViolationsPastTheirRetentionAreDeleted) {
  start();
  const std::string key = user_key("mallory");
  EXPECT_EQ(refused_check(key, "old").status, 429);
  EXPECT_EQ(refused_check(key, "new").status, 429);
  stop();
  write_sql("UPDATE violations SET at_ms = at_ms - 3 * 86400000 WHERE command = 'old'");
  start({"GAIA_VIOLATION_RETENTION_DAYS=2"});  // retention runs at start, then hourly
  stop();
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations WHERE command = 'old'"), 0);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations WHERE command = 'new'"), 1);
}

TEST_F(BoundedTest, AReportRangeThatWouldOverflowIsRefusedNamingTheParameter) {
  start();
  for (const char* query : {"to=9223372036854775807", "from=0&to=9223372036854775807",
                            "from=0&to=9223372036854775807&bucket=minute"}) {
    RawResponse r = call("GET", std::string("/api/admin/quotas/analytics?") + query, kAdminKey);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(boost::json::parse(r.body).at("field"), "to") << query;
  }
  for (const char* path : {"/api/admin/analytics/trend?to=9223372036854775807",
                           "/api/admin/analytics/top?from=9223372036854775000"}) {
    RawResponse r = call("GET", path, kAdminKey);
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
  }
}

TEST_F(BoundedTest, AFloodOfLongRefusalsNeitherFloodsNorClosesASlowAdminFeed) {
  start();
  const std::string key = user_key("mallory");
  WsClient admin;
  ASSERT_TRUE(admin.connect(port_, {{"Authorization", "Bearer " + kAdminKey}}));
  auto hello = admin.read();
  ASSERT_TRUE(hello && hello->at("type") == "hello");
  const std::string command = "x" + std::string(60'000, 'y');
  std::map<std::string, int> seen;
  uint64_t folded = 0;
  auto take = [&](const boost::json::value& m) {
    const std::string type(m.at("type").as_string());
    ++seen[type];
    if (type == "violation") {
      EXPECT_LE(m.at("data").at("command").as_string().size(), kCommandCap);
    }
    if (type == "folded") {
      if (const auto* n = m.at("data").at("counts").as_object().if_contains("violation")) {
        folded += n->to_number<uint64_t>();
      }
    }
  };
  // The admin reads one message for every 25 refusals: far slower than the refusals come.
  constexpr int kRefusals = 1500;
  for (int i = 1; i <= kRefusals; ++i) {
    ASSERT_EQ(refused_check(key, command).status, 429);
    if (i % 25 == 0) {
      auto m = admin.read();
      ASSERT_TRUE(m) << "the feed closed after " << i << " refusals: " << admin.error.message();
      take(*m);
    }
  }
  // Whatever was folded is summed up: before the next event, or with the stats.
  for (int i = 0; i < 200 && seen["violation"] + folded < kRefusals; ++i) {
    auto m = admin.read();
    ASSERT_TRUE(m) << admin.error.message();
    take(*m);
  }
  EXPECT_EQ(seen["violation"] + folded, static_cast<uint64_t>(kRefusals));
  EXPECT_GT(folded, 0u);
  auto health = call("GET", "/api/ws/health", kAdminKey);
  ASSERT_EQ(health.status, 200);
  const boost::json::value h = boost::json::parse(health.body);
  EXPECT_EQ(h.at("closed_slow").to_number<uint64_t>(), 0u);
  EXPECT_EQ(h.at("clients").to_number<uint64_t>(), 1u);
  EXPECT_EQ(h.at("folded").to_number<uint64_t>(), folded);
}

}  // namespace
}  // namespace gaia::testing
