// The admin endpoints announce each change on the live feed as config_changed
// {what, action, id, by}, and announce nothing for a refused change. Real router, directory,
// rule book and SQLite store; the feed records what it is given.

#include <gtest/gtest.h>

#include "admin_router_fixture.h"
#include "api/admin/accounts_api.h"
#include "api/admin/rules_api.h"
#include "api/admin/users_api.h"

namespace gaia::api {
namespace {

class AdminFeedTest : public AdminRouterTest {
 protected:
  void SetUp() override {
    AdminRouterTest::SetUp();
    if (HasFatalFailure()) return;
    ApiContext ctx = context();
    api::admin::add_admin_api(router_, ctx);
    api::admin::add_admin_rules_api(router_, ctx);
    api::admin::add_admin_users_api(router_, ctx, reputation_);
  }
  // The config_changed messages so far, as "what/action/id/by".
  std::vector<std::string> changes() const {
    std::vector<std::string> out;
    for (const auto& [type, data] : feed_.messages()) {
      EXPECT_EQ(type, "config_changed");
      const boost::json::value& id = data.at("id");
      out.push_back(
          std::string(data.at("what").as_string()) + "/" +
          std::string(data.at("action").as_string()) + "/" +
          (id.is_string() ? std::string(id.as_string()) : std::to_string(id.to_number<int64_t>())) +
          "/" + std::string(data.at("by").as_string()));
    }
    return out;
  }

  reputation::ReputationBook reputation_{core::ReputationConfig{}, clock_};
};

constexpr const char* kRule = R"({"subject":{"kind":"global"},"command_type":"shell",)"
                              R"("limits":[{"kind":"calendar","period":"day","amount":2}]})";

TEST_F(AdminFeedTest, RuleChangesAreAnnouncedWithTheirIdAndAuthor) {
  http::Response created = call("POST", "/api/admin/quotas/config", kRule);
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = boost::json::parse(created.body).at("id").to_number<int64_t>();
  const std::string path = "/api/admin/quotas/config/" + std::to_string(id);
  ASSERT_EQ(call("PUT", path, kRule).status, 200);
  ASSERT_EQ(call("DELETE", path).status, 200);
  const std::string n = std::to_string(id);
  EXPECT_EQ(changes(),
            (std::vector<std::string>{"rule/create/" + n + "/root", "rule/update/" + n + "/root",
                                      "rule/delete/" + n + "/root"}));
}

TEST_F(AdminFeedTest, RefusedChangesAnnounceNothing) {
  EXPECT_EQ(call("POST", "/api/admin/quotas/config", "{}").status, 400);
  EXPECT_EQ(call("PUT", "/api/admin/quotas/config/default-shell", kRule).status, 409);
  EXPECT_EQ(call("DELETE", "/api/admin/quotas/config/77").status, 404);
  EXPECT_EQ(call("POST", "/api/admin/users/nobody/reset").status, 404);
  EXPECT_EQ(call("PUT", "/api/admin/users/root/overrides", R"({"limits":3})").status, 400);
  EXPECT_TRUE(changes().empty());
}

TEST_F(AdminFeedTest, UserChangesAreAnnouncedByName) {
  ASSERT_EQ(call("POST", "/api/admin/users", R"({"name":"alice"})").status, 201);
  ASSERT_EQ(call("PUT", "/api/admin/users/alice", R"({"tier":"premium"})").status, 200);
  ASSERT_EQ(call("PUT", "/api/admin/users/alice/overrides",
                 R"({"limits":[{"kind":"concurrency","amount":1}]})")
                .status,
            200);
  ASSERT_EQ(call("POST", "/api/admin/users/alice/reset").status, 200);
  EXPECT_EQ(changes(),
            (std::vector<std::string>{"user/create/alice/root", "user/update/alice/root",
                                      "user/update/alice/root", "user/reset/alice/root"}));
}

}  // namespace
}  // namespace gaia::api
