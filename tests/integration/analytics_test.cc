// The analytics endpoints of the real gaia_server: reports from the aggregates of real
// checks, as JSON and as CSV read back by Python's csv module; 400s naming the parameter;
// admin only; the detectors and a rebuild.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "analytics-admin-key-0123456789abcdef01";

struct Fetched {
  int status = 0;
  std::string body;
};

class AnalyticsTest : public GaiaServerTest {
 protected:
  AnalyticsTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override { start({"GAIA_ANALYTICS_FLUSH_S=1"}); }
  void TearDown() override { stop(); }
  std::optional<RawResponse> call(std::string_view method, std::string_view path,
                                  std::string_view key, std::string_view body = {}) {
    return http_request(port_, method, path, key, body);
  }
  std::string user_with_key(const std::string& name) {
    return create_user_key(name, R"({"name":")" + name + R"("})", R"({"role":"user"})");
  }
  // GET through Python's HTTP client (it reads chunked bodies); with `csv`, the body as
  // parsed by Python's csv module, as JSON.
  // The output of the real gaia CLI run with `args` against this server.
  std::string cli(const std::string& args) {
    const std::string cmd = "GAIA_URL=http://127.0.0.1:" + std::to_string(port_) +
                            " GAIA_KEY=" + kAdminKey + " " + GAIA_CLI_PATH + " " + args;
    std::string text;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    ::pclose(p);
    return text;
  }
  Fetched get(const std::string& path, const std::string& key = kAdminKey, bool csv = false) {
    const std::string cmd = "python3 " + std::string(GAIA_ANALYTICS_GET) + " " +
                            std::to_string(port_) + " '" + key + "' '" + path + "'" +
                            (csv ? " --csv" : "");
    Fetched out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    ::pclose(p);
    const size_t nl = text.find('\n');
    if (nl == std::string::npos) return out;
    out.status = std::atoi(text.substr(0, nl).c_str());
    out.body = text.substr(nl + 1);
    return out;
  }
  // The report's rows once the aggregates hold `count` admissions of `user` (flushed every
  // second); empty if they do not within 20 s.
  boost::json::array rows_once_flushed(const std::string& path, int64_t count) {
    boost::json::array rows;
    const bool flushed = testing::eventually(
        [&] {
          Fetched f = get(path);
          if (f.status != 200) return false;
          rows = boost::json::parse(f.body).at("rows").as_array();
          int64_t seen = 0;
          for (const auto& r : rows) {
            if (r.at("outcome") == "admitted") seen += r.at("count").as_int64();
          }
          return seen >= count;
        },
        std::chrono::seconds(20), std::chrono::milliseconds(200));
    return flushed ? rows : boost::json::array{};
  }
};

TEST_F(AnalyticsTest, AReportOfRealChecksReadsTheSameAsJsonAndAsCsv) {
  const std::string alice = user_with_key("alice");
  for (int i = 0; i < 3; ++i) {
    auto r = call("POST", "/api/v1/check", alice, R"({"type":"shell"})");
    ASSERT_TRUE(r && r->status == 200);
  }
  const std::string path =
      "/api/admin/quotas/analytics?bucket=hour&group_by=user,outcome&user=alice";
  boost::json::array rows = rows_once_flushed(path, 3);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("user"), "alice");
  EXPECT_EQ(rows[0].at("count"), 3);
  EXPECT_EQ(rows[0].at("cost"), 3);

  Fetched csv = get(path + "&format=csv", kAdminKey, true);
  ASSERT_EQ(csv.status, 200);
  boost::json::array records = boost::json::parse(csv.body).as_array();
  ASSERT_EQ(records.size(), 2u);  // the header row, then one record per JSON row
  EXPECT_EQ(records[0], boost::json::parse(R"(["t_ms","user","outcome","count","cost"])"));
  EXPECT_EQ(records[1].at(0), boost::json::string(std::to_string(rows[0].at("t_ms").as_int64())));
  EXPECT_EQ(records[1].at(1), "alice");
  EXPECT_EQ(records[1].at(2), "admitted");
  EXPECT_EQ(records[1].at(3), "3");
}

TEST_F(AnalyticsTest, CsvCellsASpreadsheetWouldRunAsFormulasAreNeutralised) {
  // User names may begin with - or @, which a spreadsheet reads as the start of a formula.
  for (const std::string name : {"-dash", "@at"}) {
    const std::string key = user_with_key(name);
    ASSERT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 200);
  }
  const std::string path =
      "/api/admin/quotas/analytics?bucket=day&group_by=user,outcome&metrics=count";
  ASSERT_FALSE(rows_once_flushed(path, 2).empty());
  Fetched csv = get(path + "&format=csv", kAdminKey, true);
  ASSERT_EQ(csv.status, 200);
  std::vector<std::string> users;
  const boost::json::value records = boost::json::parse(csv.body);
  for (const boost::json::value& record : records.as_array()) {
    users.emplace_back(record.as_array().at(1).as_string());
  }
  EXPECT_NE(std::find(users.begin(), users.end(), "'-dash"), users.end()) << csv.body;
  EXPECT_NE(std::find(users.begin(), users.end(), "'@at"), users.end()) << csv.body;
  for (const std::string& user : users) {
    EXPECT_EQ(std::string_view("=+-@\t\r").find(user.at(0)), std::string_view::npos) << user;
  }
}

TEST_F(AnalyticsTest, TheCliPrintsTheReportAndRebuilds) {
  const std::string carol = user_with_key("carol");
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(call("POST", "/api/v1/check", carol, R"({"type":"code"})")->status, 200);
  ASSERT_EQ(rows_once_flushed("/api/admin/quotas/analytics?group_by=outcome&user=carol", 2).size(),
            1u);
  const std::string csv =
      cli("admin report --bucket day --group-by user,type --filter user=carol --format csv");
  EXPECT_NE(csv.find("t_ms,user,type,count,cost\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",carol,code,2,2\r\n"), std::string::npos) << csv;
  const std::string table = cli("admin report --group-by type --filter user=carol");
  EXPECT_NE(table.find("code"), std::string::npos) << table;
  EXPECT_NE(cli("admin rebuild-aggregates").find("rebuilt "), std::string::npos);
}

TEST_F(AnalyticsTest, BadParametersAnswer400NamingTheParameter) {
  struct Case {
    std::string query;
    std::string field;
  };
  for (const Case& c : {Case{"bucket=week", "bucket"}, Case{"group_by=user,color", "group_by"},
                        Case{"metrics=count,heat", "metrics"}, Case{"format=xml", "format"},
                        Case{"outcome=maybe", "outcome"}, Case{"user=nobody", "user"},
                        Case{"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"},
                        Case{"from=yesterday", "from"}}) {
    Fetched f = get("/api/admin/quotas/analytics?" + c.query);
    EXPECT_EQ(f.status, 400) << c.query;
    auto body = boost::json::parse(f.body);
    EXPECT_EQ(body.at("field"), boost::json::string(c.field)) << c.query << ": " << f.body;
  }
  // A year of minutes is refused, and the message says the limit.
  Fetched year =
      get("/api/admin/quotas/analytics?bucket=minute&from=2025-01-01T00:00:00Z"
          "&to=2026-01-01T00:00:00Z");
  ASSERT_EQ(year.status, 400);
  EXPECT_NE(year.body.find("100000"), std::string::npos) << year.body;
}

TEST_F(AnalyticsTest, OnlyAdminsReadAnalytics) {
  const std::string bob = user_with_key("bob");
  for (const std::string path : {"/api/admin/quotas/analytics", "/api/admin/analytics/trend",
                                 "/api/admin/analytics/spikes", "/api/admin/analytics/violators",
                                 "/api/admin/analytics/forecast", "/api/admin/analytics/top"}) {
    EXPECT_EQ(get(path, "").status, 401) << path;
    EXPECT_EQ(get(path, bob).status, 403) << path;
  }
  EXPECT_EQ(call("POST", "/api/admin/analytics/rebuild", bob, "{}")->status, 403);
}

TEST_F(AnalyticsTest, DetectorsAnswerWithTheirKindAndARebuildSaysWhatItRead) {
  for (const std::string kind : {"trend", "spikes", "violators", "forecast", "top"}) {
    Fetched f = get("/api/admin/analytics/" + kind);
    ASSERT_EQ(f.status, 200) << kind << ": " << f.body;
    auto body = boost::json::parse(f.body);
    EXPECT_EQ(body.at("kind"), boost::json::string(kind));
    EXPECT_TRUE(body.at("items").is_array());
  }
  auto rebuilt = call("POST", "/api/admin/analytics/rebuild", kAdminKey, "{}");
  ASSERT_TRUE(rebuilt);
  ASSERT_EQ(rebuilt->status, 200) << rebuilt->body;
  EXPECT_TRUE(boost::json::parse(rebuilt->body).at("executions").is_number());
  auto bad = call("POST", "/api/admin/analytics/rebuild", kAdminKey, R"({"from":5,"to":4})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

}  // namespace
}  // namespace gaia::testing
