// Command types an admin adds (POST /api/admin/types) against the real gaia_server, on each
// store backend: checked, run and ruled like the built-in ones from the next request on, kept
// across a restart, and refused everywhere once removed.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "support/gaia_server_test.h"
#include "support/postgres_cluster.h"
#include "support/raw_http_client.h"
#include "support/store_backends.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "command-types-admin-key-0123456789abcdef";

const std::string kDeploy =
    R"({"name":"deploy","description":"deployments",)"
    R"("limits":{"default":[{"kind":"calendar","period":"day","amount":2}],)"
    R"("premium":[{"kind":"calendar","period":"day","amount":20}]}})";

class CommandTypesTest : public GaiaServerTest, public ::testing::WithParamInterface<StoreBackend> {
 protected:
  CommandTypesTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override {
    if (GetParam() == StoreBackend::kPostgres) url_ = shared_postgres().create_database();
  }
  void start() { GaiaServerTest::start({}, {}, url_); }

  RawResponse call(std::string_view method, std::string_view path, std::string_view key,
                   std::string_view body = {}) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path;
    return r ? *r : RawResponse{};
  }
  RawResponse check(const std::string& key, const std::string& type) {
    return call("POST", "/api/v1/check", key, R"({"type":")" + type + R"("})");
  }
  std::vector<std::string> type_names() {
    RawResponse r = call("GET", "/api/admin/types", kAdminKey);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> names;
    const boost::json::value listed = boost::json::parse(r.body);
    for (const auto& t : listed.at("types").as_array()) {
      names.emplace_back(t.at("name").as_string());
    }
    return names;
  }
  static std::string field_of(const RawResponse& r) {
    auto v = boost::json::parse(r.body);
    const auto* field = v.as_object().if_contains("field");
    return field && field->is_string() ? std::string(field->as_string()) : "";
  }

  std::string url_;  // PostgreSQL's database, or "" for SQLite
};

TEST_P(CommandTypesTest, AnAddedTypeIsCheckedRunAndRuledWithItsTierLimitsAcrossARestart) {
  start();
  RawResponse added = call("POST", "/api/admin/types", kAdminKey, kDeploy);
  ASSERT_EQ(added.status, 201) << added.body;
  const boost::json::value made = boost::json::parse(added.body);
  EXPECT_EQ(made.at("name"), "deploy");
  EXPECT_EQ(made.at("rules").as_array().size(), 2u);
  EXPECT_EQ(type_names(),
            (std::vector<std::string>{"shell", "code", "test", "review", "refactor", "deploy"}));

  const std::string ann = create_user_key("ann", R"({"name":"ann"})");
  const std::string pia = create_user_key("pia", R"({"name":"pia","tier":"premium"})");
  RawResponse first = check(ann, "deploy");
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.headers["ratelimit-policy"], R"("deploy-day";q=2;w=86400)");
  RawResponse run = call("POST", "/api/v1/exec", ann, R"({"type":"deploy","argv":["/bin/true"]})");
  EXPECT_EQ(run.status, 200) << run.body;
  RawResponse refused = check(ann, "deploy");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(check(pia, "deploy").headers["ratelimit-policy"], R"("deploy-day";q=20;w=86400)");

  // A user's override of the new type, as the dashboard saves it.
  RawResponse override = call("PUT", "/api/admin/users/pia/overrides", kAdminKey,
                              R"({"limits":[{"kind":"calendar","period":"day","amount":5,)"
                              R"("type":"deploy"}]})");
  EXPECT_EQ(override.status, 200) << override.body;
  EXPECT_EQ(check(pia, "deploy").headers["ratelimit-policy"], R"("deploy-day";q=5;w=86400)");

  stop();
  start();
  EXPECT_EQ(type_names().back(), "deploy");
  EXPECT_EQ(check(ann, "deploy").status, 429) << "the day's 2 of 2, restored by type";
  EXPECT_EQ(check(pia, "deploy").headers["ratelimit-policy"], R"("deploy-day";q=5;w=86400)");
}

TEST_P(CommandTypesTest, ARemovedTypeIsRefusedEverywhereAndCanComeBack) {
  start();
  ASSERT_EQ(call("POST", "/api/admin/types", kAdminKey, kDeploy).status, 201);
  const std::string ann = create_user_key("ann", R"({"name":"ann"})");
  ASSERT_EQ(check(ann, "deploy").status, 200);

  RawResponse removed = call("DELETE", "/api/admin/types/deploy", kAdminKey);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(boost::json::parse(removed.body).at("rules_removed").as_array().size(), 2u);
  EXPECT_EQ(type_names().size(), 5u);

  RawResponse checked = check(ann, "deploy");
  EXPECT_EQ(checked.status, 400) << checked.body;
  EXPECT_EQ(field_of(checked), "type");
  RawResponse run = call("POST", "/api/v1/exec", ann, R"({"type":"deploy","argv":["/bin/true"]})");
  EXPECT_EQ(run.status, 400) << run.body;
  EXPECT_EQ(field_of(run), "type");
  RawResponse rule = call("POST", "/api/admin/quotas/config", kAdminKey,
                          R"({"subject":{"kind":"global"},"command_type":"deploy",)"
                          R"("limits":[{"kind":"calendar","period":"day","amount":1}]})");
  EXPECT_EQ(rule.status, 400) << rule.body;
  EXPECT_EQ(field_of(rule), "command_type");

  // Back, under the same name, with no limits of its own this time.
  ASSERT_EQ(call("POST", "/api/admin/types", kAdminKey, R"({"name":"deploy"})").status, 201);
  EXPECT_EQ(check(ann, "deploy").status, 200);
  stop();
  start();
  EXPECT_EQ(type_names().back(), "deploy");
}

TEST_P(CommandTypesTest, BadTypesAreRefusedNamingTheFieldAndChangeNothing) {
  start();
  const std::string ann = create_user_key("ann", R"({"name":"ann"})");
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  const Case cases[] = {
      {R"({"name":"Deploy!"})", 400, "name"},
      {R"({"name":"any"})", 400, "name"},
      {R"({"name":""})", 400, "name"},
      {R"({"description":"x"})", 400, "name"},
      {R"({"name":"deploy","description":")" + std::string(201, 'x') + R"("})", 400, "description"},
      {R"({"name":"deploy","limits":{"gold":[{"kind":"concurrency","amount":1}]}})", 400,
       "limits.gold"},
      {R"({"name":"deploy","limits":{"default":[{"kind":"calendar","period":"year","amount":1}]}})",
       400, "limits.default[0].period"},
      {R"({"name":"deploy","limits":[]})", 400, "limits"},
      {R"({"name":"shell"})", 409, ""},
  };
  for (const Case& c : cases) {
    RawResponse r = call("POST", "/api/admin/types", kAdminKey, c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " → " << r.body;
    if (!c.field.empty()) {
      EXPECT_EQ(field_of(r), c.field) << c.body << " → " << r.body;
    }
  }
  EXPECT_EQ(type_names().size(), 5u);
  EXPECT_EQ(call("POST", "/api/admin/types", ann, R"({"name":"deploy"})").status, 403);
  EXPECT_EQ(call("DELETE", "/api/admin/types/shell", kAdminKey).status, 409);
  EXPECT_EQ(call("DELETE", "/api/admin/types/nothing", kAdminKey).status, 404);
  EXPECT_EQ(check(ann, "deploy").status, 400);
}

TEST_P(CommandTypesTest, TiersAreListedWithHowTheyScale) {
  start();
  RawResponse r = call("GET", "/api/admin/tiers", kAdminKey);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body),
            boost::json::parse(R"({"tiers":[)"
                               R"({"name":"default","quota_factor":1,"priority":false},)"
                               R"({"name":"premium","quota_factor":10,"priority":false},)"
                               R"({"name":"enterprise","quota_factor":null,"priority":true}]})"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CommandTypesTest,
                         ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres),
                         store_backend_name);

}  // namespace
}  // namespace gaia::testing
