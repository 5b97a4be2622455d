// The admin API of rules, usage, violations and users, against the real gaia_server on a
// temporary SQLite file: authentication, bad input named by field, and that every change
// applies to the very next check (and survives a restart).

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "admin-api-test-admin-key-0123456789abcdef";

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

class AdminApiTest : public GaiaServerTest {
 protected:
  AdminApiTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override { start(); }

  void restart() {
    stop();
    start();
  }
  RawResponse call(std::string_view method, std::string_view path, std::string_view key = kAdminKey,
                   std::string_view body = {}) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << ": no answer";
    return r ? *r : RawResponse{};
  }
  // A new user of `tier` and a user key for it.
  std::string user_with_key(const std::string& name, const std::string& tier = "default") {
    return create_user_key(name, R"({"name":")" + name + R"(","tier":")" + tier + R"("})");
  }
  int check(const std::string& key, const std::string& type = "shell", int cost = 1) {
    return call("POST", "/api/v1/check", key,
                R"({"type":")" + type + R"(","cost":)" + std::to_string(cost) + "}")
        .status;
  }
  // The 400's field, or "" when the answer is not a 400 naming one.
  std::string field_of(const RawResponse& r) {
    if (r.status != 400) return "status " + std::to_string(r.status) + ": " + r.body;
    auto v = json_of(r);
    EXPECT_EQ(v.at("error"), "invalid_request");
    return std::string(v.at("field").as_string());
  }
  boost::json::array rules() {
    auto r = call("GET", "/api/admin/quotas/config");
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r).at("rules").as_array();
  }
  // The quota line of `policy` in the user's detail view.
  boost::json::object quota_line(const std::string& user, const std::string& policy) {
    auto r = call("GET", "/api/admin/users/" + user);
    EXPECT_EQ(r.status, 200) << r.body;
    const boost::json::value v = json_of(r);
    for (const auto& line : v.at("quota").as_array()) {
      if (line.at("policy").as_string() == policy) return line.as_object();
    }
    return {};
  }
};

constexpr const char* kShellDayOf2 = R"({"subject":{"kind":"global"},"command_type":"shell",)"
                                     R"("limits":[{"kind":"calendar","period":"day","amount":2}]})";

TEST_F(AdminApiTest, EveryEndpointNeedsAnAdminKey) {
  std::string user_key = user_with_key("alice");
  const std::pair<const char*, const char*> endpoints[] = {
      {"GET", "/api/admin/quotas/config"},
      {"POST", "/api/admin/quotas/config"},
      {"PUT", "/api/admin/quotas/config/1"},
      {"DELETE", "/api/admin/quotas/config/1"},
      {"GET", "/api/admin/quotas/usage"},
      {"GET", "/api/admin/quotas/violations"},
      {"GET", "/api/admin/users"},
      {"GET", "/api/admin/users/alice"},
      {"PUT", "/api/admin/users/alice/overrides"},
      {"POST", "/api/admin/users/alice/reset"},
  };
  for (auto [method, path] : endpoints) {
    EXPECT_EQ(call(method, path, "", kShellDayOf2).status, 401) << method << " " << path;
    EXPECT_EQ(call(method, path, "gaia_not_a_key", kShellDayOf2).status, 401) << path;
    EXPECT_EQ(call(method, path, user_key, kShellDayOf2).status, 403) << method << " " << path;
  }
  EXPECT_EQ(rules().size(), 5u);  // nothing was created by the refused POST
  EXPECT_EQ(check(user_key), 200);
}

TEST_F(AdminApiTest, BuiltInRulesAreListedAndReadOnly) {
  boost::json::array listed = rules();
  ASSERT_EQ(listed.size(), 5u);
  EXPECT_EQ(listed[0].at("id"), "default-shell");
  EXPECT_EQ(listed[0].at("builtin"), true);
  EXPECT_EQ(listed[0].at("overridden"), false);
  EXPECT_EQ(listed[0].at("limits").as_array().size(), 3u);
  auto put = call("PUT", "/api/admin/quotas/config/default-shell", kAdminKey, kShellDayOf2);
  EXPECT_EQ(put.status, 409) << put.body;
  EXPECT_NE(json_of(put).at("message").as_string().find("override"), boost::json::string::npos);
  EXPECT_EQ(call("DELETE", "/api/admin/quotas/config/default-shell").status, 409);
  EXPECT_EQ(call("PUT", "/api/admin/quotas/config/999", kAdminKey, kShellDayOf2).status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/quotas/config/999").status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/quotas/config/nonsense").status, 404);
}

TEST_F(AdminApiTest, ACreatedRuleOverridesTheBuiltInOnTheNextCheck) {
  std::string key = user_with_key("alice");
  EXPECT_EQ(check(key), 200);
  auto created = call("POST", "/api/admin/quotas/config", kAdminKey, kShellDayOf2);
  ASSERT_EQ(created.status, 201) << created.body;
  const boost::json::value rule = json_of(created);
  EXPECT_EQ(rule.at("builtin"), false);
  EXPECT_TRUE(rule.at("id").is_int64() || rule.at("id").is_uint64());
  // One used before the change, so one more fits under the new daily 2.
  EXPECT_EQ(check(key), 200);
  EXPECT_EQ(check(key), 429);
  // The built-in's other slots stay in force: weekly 3,000 still counts.
  EXPECT_EQ(quota_line("alice", "shell-week").at("limit"), 3000);
  EXPECT_EQ(quota_line("alice", "shell-day").at("limit"), 2);
  boost::json::array listed = rules();
  ASSERT_EQ(listed.size(), 6u);
  EXPECT_EQ(listed[0].at("overridden"), true);
  EXPECT_EQ(listed[5].at("id"), rule.at("id"));
}

TEST_F(AdminApiTest, UpdatingAndDeletingARuleApplyToTheNextCheck) {
  std::string key = user_with_key("alice");
  auto created = call("POST", "/api/admin/quotas/config", kAdminKey, kShellDayOf2);
  ASSERT_EQ(created.status, 201);
  const std::string path =
      "/api/admin/quotas/config/" + std::to_string(json_of(created).at("id").to_number<int64_t>());
  EXPECT_EQ(check(key), 200);
  EXPECT_EQ(check(key), 200);
  EXPECT_EQ(check(key), 429);
  auto updated = call("PUT", path, kAdminKey,
                      R"({"subject":{"kind":"global"},"command_type":"shell",)"
                      R"("limits":[{"kind":"calendar","period":"day","amount":3}]})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(json_of(updated).at("limits").at(0).at("amount"), 3);
  EXPECT_EQ(check(key), 200);
  EXPECT_EQ(check(key), 429);
  auto deleted = call("DELETE", path);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(check(key), 200);  // the built-in 500 a day is back
  EXPECT_EQ(quota_line("alice", "shell-day").at("limit"), 500);
  EXPECT_EQ(rules().size(), 5u);
  EXPECT_EQ(call("DELETE", path).status, 404);
}

TEST_F(AdminApiTest, RuleChangesAreAuditedAndSurviveARestart) {
  auto created = call("POST", "/api/admin/quotas/config", kAdminKey, kShellDayOf2);
  ASSERT_EQ(created.status, 201);
  const std::string id = std::to_string(json_of(created).at("id").to_number<int64_t>());
  ASSERT_EQ(call("PUT", "/api/admin/quotas/config/" + id, kAdminKey,
                 R"({"subject":{"kind":"global"},"command_type":"shell",)"
                 R"("limits":[{"kind":"calendar","period":"day","amount":1}]})")
                .status,
            200);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'rule.create' AND actor = "
                       "'admin' AND target = '" +
                       id + "' AND before = '' AND after LIKE '%\"amount\":2%'"),
            1);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'rule.update' AND before "
                       "LIKE '%\"amount\":2%' AND after LIKE '%\"amount\":1%' AND at_ms > 0"),
            1);
  restart();
  std::string key = user_with_key("bob");
  EXPECT_EQ(check(key), 200);
  EXPECT_EQ(check(key), 429);
  ASSERT_EQ(call("DELETE", "/api/admin/quotas/config/" + id).status, 200);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'rule.delete' AND after = '' "
                       "AND before LIKE '%\"amount\":1%'"),
            1);
}

TEST_F(AdminApiTest, ARulesOutagePolicyIsListedOnlyWhenSetAndSurvivesARestart) {
  auto created = call("POST", "/api/admin/quotas/config", kAdminKey,
                      R"({"subject":{"kind":"global"},"command_type":"shell","outage":"local",)"
                      R"("limits":[{"kind":"calendar","period":"day","amount":2}]})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json_of(created).at("outage"), "local");
  const std::string path =
      "/api/admin/quotas/config/" + std::to_string(json_of(created).at("id").to_number<int64_t>());
  restart();
  EXPECT_EQ(rules()[5].at("outage"), "local");
  auto cleared = call("PUT", path, kAdminKey,
                      R"({"subject":{"kind":"global"},"command_type":"shell","outage":null,)"
                      R"("limits":[{"kind":"calendar","period":"day","amount":2}]})");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_FALSE(json_of(cleared).as_object().contains("outage")) << cleared.body;
  EXPECT_FALSE(rules()[5].as_object().contains("outage"));
}

TEST_F(AdminApiTest, BadRulesAreRefusedNamingTheFieldAndChangeNothing) {
  auto field = [&](std::string_view body) {
    return field_of(call("POST", "/api/admin/quotas/config", kAdminKey, body));
  };
  EXPECT_EQ(field("not json"), "body");
  EXPECT_EQ(field("[1]"), "body");
  EXPECT_EQ(field(R"({"subject":{"kind":"planet"},"limits":[]})"), "subject.kind");
  EXPECT_EQ(field(R"({"subject":{"kind":"tier","tier":"gold"},"limits":[]})"), "subject.tier");
  EXPECT_EQ(
      field(R"({"subject":{"kind":"user","id":999},"limits":[{"kind":"concurrency","amount":1}]})"),
      "subject.id");
  EXPECT_EQ(field(R"({"subject":{"kind":"global"},"limits":{}})"), "limits");
  EXPECT_EQ(field(R"({"subject":{"kind":"global"},"limits":[]})"), "limits");
  EXPECT_EQ(
      field(R"({"subject":{"kind":"global"},"limits":[{"kind":"rate","amount":5,"window_ms":1000},)"
            R"({"kind":"rate","amount":1,"window_ms":0}]})"),
      "limits[1].window_ms");
  EXPECT_EQ(
      field(
          R"({"subject":{"kind":"global"},"limits":[{"kind":"calendar","period":"year","amount":1}]})"),
      "limits[0].period");
  EXPECT_EQ(
      field(
          R"({"subject":{"kind":"global"},"limits":[{"kind":"calendar","period":"day","amount":0}]})"),
      "limits[0].amount");
  EXPECT_EQ(field(R"({"subject":{"kind":"global"},"limits":[{"kind":"sometimes","amount":1}]})"),
            "limits[0].kind");
  EXPECT_EQ(field(R"({"subject":{"kind":"global"},"command_type":"dance",)"
                  R"("limits":[{"kind":"concurrency","amount":1}]})"),
            "command_type");
  EXPECT_EQ(field(R"({"subject":{"kind":"global"},"enforcement":"maybe",)"
                  R"("limits":[{"kind":"concurrency","amount":1}]})"),
            "enforcement");
  EXPECT_EQ(
      field(
          R"({"name":7,"subject":{"kind":"global"},"limits":[{"kind":"concurrency","amount":1}]})"),
      "name");
  for (const std::string outage : {R"("maybe")", "1", R"("")", R"("OPEN")"}) {
    EXPECT_EQ(field(R"({"subject":{"kind":"global"},"outage":)" + outage +
                    R"(,"limits":[{"kind":"concurrency","amount":1}]})"),
              "outage")
        << outage;
  }
  // Two rules may not set the same limit for one subject and type.
  ASSERT_EQ(call("POST", "/api/admin/quotas/config", kAdminKey, kShellDayOf2).status, 201);
  auto clash = call("POST", "/api/admin/quotas/config", kAdminKey, kShellDayOf2);
  EXPECT_EQ(field_of(clash), "limits[0]");
  EXPECT_NE(json_of(clash).at("message").as_string().find("already set"),
            boost::json::string::npos);
  EXPECT_EQ(rules().size(), 6u);
  EXPECT_EQ(
      field_of(call(
          "PUT",
          "/api/admin/quotas/config/" + std::to_string(rules()[5].at("id").to_number<int64_t>()),
          kAdminKey, R"({"subject":{"kind":"global"},"limits":[{"kind":"rate"}]})")),
      "limits[0].amount");
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM quota_rules"), 1);
}

TEST_F(AdminApiTest, UsageShowsWhatTheLimiterEnforcesFilteredAndPaged) {
  std::string alice = user_with_key("alice");
  std::string bob = user_with_key("bob");
  EXPECT_EQ(check(alice, "shell", 7), 200);
  EXPECT_EQ(check(alice, "code", 2), 200);
  EXPECT_EQ(check(bob, "shell", 1), 200);
  auto r = call("GET", "/api/admin/quotas/usage?user=alice&type=shell&period=day");
  ASSERT_EQ(r.status, 200) << r.body;
  boost::json::array rows = json_of(r).at("usage").as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("user"), "alice");
  EXPECT_EQ(rows[0].at("type"), "shell");
  EXPECT_EQ(rows[0].at("period"), "day");
  EXPECT_EQ(rows[0].at("used"), 7);
  EXPECT_EQ(rows[0].at("limit"), 500);
  EXPECT_GT(rows[0].at("period_start_ms").to_number<int64_t>(), 0);
  EXPECT_EQ(json_of(r).at("next_offset"), nullptr);

  // Every user's weekly rows, four at a time.
  std::vector<std::string> seen;
  std::string next = "0";
  for (int pages = 0; pages < 20 && !next.empty(); ++pages) {
    auto page = call("GET", "/api/admin/quotas/usage?period=week&limit=4&offset=" + next);
    ASSERT_EQ(page.status, 200) << page.body;
    const boost::json::value v = json_of(page);
    for (const auto& row : v.at("usage").as_array()) {
      seen.push_back(std::string(row.at("user").as_string()) + "/" +
                     std::string(row.at("type").as_string()) + "=" +
                     std::to_string(row.at("used").to_number<int64_t>()));
    }
    next = v.at("next_offset").is_null() ? ""
                                         : std::to_string(v.at("next_offset").to_number<int64_t>());
  }
  // alice and bob, five types each; the enterprise admin has no quotas.
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_NE(std::find(seen.begin(), seen.end(), "alice/shell=7"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "alice/code=2"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "bob/shell=1"), seen.end());

  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/usage?period=year")), "period");
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/usage?type=dance")), "type");
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/usage?limit=0")), "limit");
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/usage?limit=x")), "limit");
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/usage?offset=-1")), "offset");
  EXPECT_EQ(call("GET", "/api/admin/quotas/usage?user=nobody").status, 404);
}

TEST_F(AdminApiTest, ViolationsAreFilteredAndPagedNewestFirst) {
  std::string alice = user_with_key("alice");
  std::string bob = user_with_key("bob");
  ASSERT_EQ(call("POST", "/api/admin/quotas/config", kAdminKey,
                 R"({"subject":{"kind":"global"},"command_type":"shell",)"
                 R"("limits":[{"kind":"calendar","period":"day","amount":1}]})")
                .status,
            201);
  EXPECT_EQ(check(alice), 200);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(call("POST", "/api/v1/check", alice,
                   R"({"type":"shell","command":"make )" + std::to_string(i) + R"("})")
                  .status,
              429);
  }
  EXPECT_EQ(check(bob), 200);
  EXPECT_EQ(check(bob), 429);
  EXPECT_EQ(check(bob, "code", 300), 200);  // the built-in daily 300 of code, used up
  EXPECT_EQ(check(bob, "code"), 429);

  // Violations are written in the background, folded into episodes (the refusals of one
  // user, key, type and limit within a second): wait until all five refusals are counted.
  boost::json::array all;
  const auto refusals = [](const boost::json::array& episodes) {
    int64_t n = 0;
    for (const auto& e : episodes) n += e.at("count").to_number<int64_t>();
    return n;
  };
  testing::eventually(
      [&] {
        auto r = call("GET", "/api/admin/quotas/violations");
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status == 200) all = json_of(r).at("violations").as_array();
        return refusals(all) >= 5;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(50));
  ASSERT_EQ(refusals(all), 5);
  EXPECT_EQ(all[0].at("user"), "bob");
  EXPECT_EQ(all[0].at("type"), "code");
  EXPECT_EQ(all[0].at("limit"), "code-day");
  EXPECT_EQ(all[0].at("count"), 1);
  for (const auto& e : all) {
    EXPECT_LE(e.at("first_at").to_number<int64_t>(), e.at("last_at").to_number<int64_t>());
    EXPECT_EQ(e.at("last_at"), e.at("at_ms"));
  }

  // Alice's three refusals: one episode, or two if they straddled a second; its sample is
  // the command of the refusal that started it.
  auto mine = json_of(call("GET", "/api/admin/quotas/violations?user=alice"));
  const boost::json::array& alices = mine.at("violations").as_array();
  ASSERT_FALSE(alices.empty());
  EXPECT_EQ(refusals(alices), 3);
  EXPECT_EQ(alices.back().at("command"), "make 0");

  // Paged one at a time, newest first, the pages list every episode once.
  std::vector<int64_t> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = json_of(call("GET", "/api/admin/quotas/violations?limit=1" + cursor));
    for (const auto& e : r.at("violations").as_array())
      paged.push_back(e.at("id").to_number<int64_t>());
    if (r.at("next_before").is_null()) break;
    cursor = "&before=" + std::to_string(r.at("next_before").to_number<int64_t>());
  }
  std::vector<int64_t> ids;
  for (const auto& e : all) ids.push_back(e.at("id").to_number<int64_t>());
  EXPECT_EQ(paged, ids);

  auto by_limit =
      json_of(call("GET", "/api/admin/quotas/violations?limit_name=shell-day&type=shell"));
  EXPECT_EQ(refusals(by_limit.at("violations").as_array()), 4);
  auto by_type = json_of(call("GET", "/api/admin/quotas/violations?type=code"));
  EXPECT_EQ(by_type.at("violations").as_array().size(), 1u);
  const int64_t at = all.back().at("at_ms").to_number<int64_t>();
  auto in_range =
      json_of(call("GET", "/api/admin/quotas/violations?from=0&to=" + std::to_string(at + 1)));
  EXPECT_GE(in_range.at("violations").as_array().size(), 1u);
  auto future = json_of(call("GET", "/api/admin/quotas/violations?from=2999-01-01T00:00:00Z"));
  EXPECT_EQ(future.at("violations").as_array().size(), 0u);

  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/violations?from=yesterday")), "from");
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/violations?from=10&to=5")), "to");
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/violations?limit=1001")), "limit");
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/violations?before=0")), "before");
  EXPECT_EQ(call("GET", "/api/admin/quotas/violations?user=nobody").status, 404);
  EXPECT_EQ(field_of(call("GET", "/api/admin/quotas/violations?format=xml")), "format");

  // The same page as CSV: a header row with the episode's columns, then one record each.
  auto csv = call("GET", "/api/admin/quotas/violations?format=csv&type=code");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_TRUE(csv.headers["content-type"].starts_with("text/csv")) << csv.headers["content-type"];
  const std::string header =
      "id,user,user_id,key_id,type,limit,command,at_ms,count,first_at,last_at\r\n";
  ASSERT_TRUE(csv.body.starts_with(header)) << csv.body;
  const std::string record = csv.body.substr(header.size());
  EXPECT_NE(record.find(",bob,"), std::string::npos) << record;
  EXPECT_NE(record.find(",code,code-day,"), std::string::npos) << record;
  EXPECT_TRUE(record.ends_with("\r\n")) << record;
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 2);
}

TEST_F(AdminApiTest, UsersAreSearchedFilteredByTierAndPaged) {
  user_with_key("alice");
  user_with_key("Alicia", "premium");
  user_with_key("bob", "enterprise");
  auto names = [&](const std::string& query) {
    auto r = call("GET", "/api/admin/users" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const boost::json::value v = json_of(r);
    for (const auto& u : v.at("users").as_array()) {
      out.push_back(std::string(u.at("name").as_string()));
    }
    return out;
  };
  EXPECT_EQ(names("?q=ali"), (std::vector<std::string>{"Alicia", "alice"}));
  EXPECT_EQ(names("?q=LIC&tier=premium"), (std::vector<std::string>{"Alicia"}));
  EXPECT_EQ(names("?tier=enterprise"), (std::vector<std::string>{"admin", "bob"}));
  EXPECT_EQ(names("?q=%41lic"), (std::vector<std::string>{"Alicia", "alice"}));  // %41 = A
  auto first = json_of(call("GET", "/api/admin/users?limit=2"));
  ASSERT_EQ(first.at("users").as_array().size(), 2u);
  EXPECT_EQ(first.at("next_offset"), 2);
  auto second = json_of(call("GET", "/api/admin/users?limit=2&offset=2"));
  ASSERT_EQ(second.at("users").as_array().size(), 2u);  // admin, alice, Alicia, bob
  EXPECT_EQ(second.at("next_offset"), nullptr);
  EXPECT_EQ(field_of(call("GET", "/api/admin/users?tier=gold")), "tier");
  EXPECT_EQ(field_of(call("GET", "/api/admin/users?limit=abc")), "limit");
}

TEST_F(AdminApiTest, UserDetailShowsKeysQuotaReputationAndOverrides) {
  std::string key = user_with_key("alice");
  EXPECT_EQ(check(key, "shell", 4), 200);
  auto r = call("GET", "/api/admin/users/alice");
  ASSERT_EQ(r.status, 200) << r.body;
  const boost::json::value v = json_of(r);
  EXPECT_EQ(v.at("user").at("name"), "alice");
  EXPECT_EQ(v.at("user").at("tier"), "default");
  ASSERT_EQ(v.at("keys").as_array().size(), 1u);
  EXPECT_EQ(v.at("keys").at(0).at("role"), "user");
  EXPECT_FALSE(v.at("keys").at(0).as_object().contains("key"));
  EXPECT_EQ(quota_line("alice", "shell-day").at("used"), 4);
  EXPECT_EQ(quota_line("alice", "shell-day").at("remaining"), 496);
  EXPECT_TRUE(v.at("reputation").as_object().contains("score"));
  EXPECT_TRUE(v.at("reputation").as_object().contains("factor"));
  EXPECT_TRUE(v.at("reputation").at("events").is_array());
  EXPECT_EQ(v.at("overrides").as_array().size(), 0u);
  EXPECT_EQ(call("GET", "/api/admin/users/nobody").status, 404);
}

TEST_F(AdminApiTest, OverridesReplaceTheUsersRulesOnTheNextCheck) {
  std::string alice = user_with_key("alice");
  std::string bob = user_with_key("bob");
  auto put = call("PUT", "/api/admin/users/alice/overrides", kAdminKey,
                  R"({"limits":[{"type":"shell","kind":"calendar","period":"day","amount":1},)"
                  R"({"kind":"rate","amount":100,"window_ms":60000}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(json_of(put).at("overrides").as_array().size(), 2u);
  EXPECT_EQ(check(alice), 200);
  EXPECT_EQ(check(alice), 429);
  EXPECT_EQ(check(bob), 200);
  EXPECT_EQ(check(bob), 200);  // bob keeps the defaults
  auto detail = json_of(call("GET", "/api/admin/users/alice"));
  EXPECT_EQ(detail.at("overrides").as_array().size(), 2u);
  EXPECT_EQ(detail.at("overrides").at(0).at("subject").at("kind"), "user");

  // Replaced, not added to: one rule left, a higher daily quota.
  ASSERT_EQ(call("PUT", "/api/admin/users/alice/overrides", kAdminKey,
                 R"({"limits":[{"type":"shell","kind":"calendar","period":"day","amount":3}]})")
                .status,
            200);
  EXPECT_EQ(json_of(call("GET", "/api/admin/users/alice")).at("overrides").as_array().size(), 1u);
  EXPECT_EQ(check(alice), 200);
  EXPECT_EQ(check(alice), 200);
  EXPECT_EQ(check(alice), 429);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'user.overrides' AND target "
                       "= 'alice'"),
            2);

  // Bad input changes nothing.
  auto put_field = [&](std::string_view body) {
    return field_of(call("PUT", "/api/admin/users/alice/overrides", kAdminKey, body));
  };
  EXPECT_EQ(put_field("{}"), "limits");
  EXPECT_EQ(put_field(R"({"limits":7})"), "limits");
  EXPECT_EQ(put_field(R"({"limits":[{"kind":"calendar","period":"day","amount":-1}]})"),
            "limits[0].amount");
  EXPECT_EQ(put_field(R"({"limits":[{"type":"dance","kind":"concurrency","amount":1}]})"),
            "limits");
  EXPECT_EQ(json_of(call("GET", "/api/admin/users/alice")).at("overrides").as_array().size(), 1u);
  EXPECT_EQ(call("PUT", "/api/admin/users/nobody/overrides", kAdminKey, R"({"limits":[]})").status,
            404);

  // An empty list clears them: the built-in 500 again.
  ASSERT_EQ(call("PUT", "/api/admin/users/alice/overrides", kAdminKey, R"({"limits":[]})").status,
            200);
  EXPECT_EQ(check(alice), 200);
}

TEST_F(AdminApiTest, ResetGivesTheQuotaBackAndARestartDoesNotUndoIt) {
  std::string alice = user_with_key("alice");
  std::string bob = user_with_key("bob");
  EXPECT_EQ(check(alice, "shell", 500), 200);
  EXPECT_EQ(check(alice), 429);
  EXPECT_EQ(check(bob, "shell", 500), 200);
  auto reset = call("POST", "/api/admin/users/alice/reset");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_GE(json_of(reset).at("usage_rows_deleted").to_number<int64_t>(), 1);
  EXPECT_EQ(check(alice, "shell", 10), 200);
  EXPECT_EQ(check(bob), 429);  // only alice was reset
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'user.reset' AND target = "
                       "'alice' AND before LIKE '%\"used\":500%'"),
            1);
  restart();
  EXPECT_EQ(quota_line("alice", "shell-day").at("used"), 10);
  EXPECT_EQ(quota_line("bob", "shell-day").at("used"), 500);
  EXPECT_EQ(call("POST", "/api/admin/users/nobody/reset").status, 404);
}

}  // namespace
}  // namespace gaia::testing
