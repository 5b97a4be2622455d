// The alert endpoints announce each change on the live feed (rule changes as config_changed
// {what:"alert_rule", action, id, by}; acks and silences as "alert") and announce nothing for
// a refused change. Real router, directory, evaluator and SQLite store; the feed records.

#include <gtest/gtest.h>

#include "admin_router_fixture.h"
#include "api/admin/alerts_api.h"

namespace gaia::api {
namespace {

class HighCpu : public alerts::MetricSource {
 public:
  void read(std::string_view, alerts::ScopeKind, std::vector<alerts::Sample>& out) override {
    out.push_back({"", 99});
  }
};

class AlertsFeedTest : public AdminRouterTest {
 protected:
  void SetUp() override {
    AdminRouterTest::SetUp();
    if (HasFatalFailure()) return;
    evaluator_ =
        std::make_unique<alerts::Evaluator>(*store_, cpu_, clock_, alerts::EvaluatorOptions{});
    ASSERT_TRUE(evaluator_->load({}).ok());
    api::admin::add_alerts_api(router_, context(), *evaluator_);
  }

  HighCpu cpu_;
  std::unique_ptr<alerts::Evaluator> evaluator_;
};

constexpr const char* kRule = R"({"name":"Hot","metric":"cpu_pct","condition":">","threshold":90})";

TEST_F(AlertsFeedTest, RuleChangesAreAnnouncedWithTheirIdAndAuthor) {
  http::Response created = call("POST", "/api/admin/alerts/rules", kRule);
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = boost::json::parse(created.body).at("id").to_number<int64_t>();
  const std::string path = "/api/admin/alerts/rules/" + std::to_string(id);
  ASSERT_EQ(call("PUT", path, kRule).status, 200);
  ASSERT_EQ(call("DELETE", path).status, 200);
  auto messages = feed_.messages();
  ASSERT_EQ(messages.size(), 3u);
  const char* actions[] = {"create", "update", "delete"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(messages[i].first, "config_changed");
    EXPECT_EQ(messages[i].second.at("what"), "alert_rule");
    EXPECT_EQ(messages[i].second.at("action"), actions[i]);
    EXPECT_EQ(messages[i].second.at("id").to_number<int64_t>(), id);
    EXPECT_EQ(messages[i].second.at("by"), "root");
  }
}

TEST_F(AlertsFeedTest, RefusedChangesAnnounceNothing) {
  EXPECT_EQ(call("POST", "/api/admin/alerts/rules", "{}").status, 400);
  EXPECT_EQ(call("PUT", "/api/admin/alerts/rules/77", kRule).status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/alerts/rules/77").status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/alerts/rules/x").status, 400);
  EXPECT_EQ(call("POST", "/api/admin/alerts/77/ack").status, 404);
  EXPECT_TRUE(feed_.messages().empty());
}

TEST_F(AlertsFeedTest, AcksAndSilencesAreAnnouncedWithTheAlert) {
  ASSERT_EQ(call("POST", "/api/admin/alerts/rules", kRule).status, 201);
  evaluator_->evaluate();  // fires at once: for 0
  http::Response listed = call("GET", "/api/admin/alerts?state=firing");
  ASSERT_EQ(listed.status, 200);
  const boost::json::value page = boost::json::parse(listed.body);
  ASSERT_EQ(page.at("alerts").as_array().size(), 1u);
  const std::string id = std::to_string(page.at("alerts").at(0).at("id").to_number<int64_t>());
  ASSERT_EQ(call("POST", "/api/admin/alerts/" + id + "/ack", R"({"note":"mine"})").status, 200);
  ASSERT_EQ(call("POST", "/api/admin/alerts/" + id + "/silence", R"({"until_ms":1})").status, 200);
  auto messages = feed_.messages();
  ASSERT_EQ(messages.size(), 3u);  // the rule's creation, then the two changes
  EXPECT_EQ(messages[1].first, "alert");
  EXPECT_EQ(messages[1].second.at("ack").at("note"), "mine");
  EXPECT_EQ(messages[1].second.at("ack").at("by"), "root");
  EXPECT_EQ(messages[2].first, "alert");
  EXPECT_TRUE(messages[2].second.at("silenced_until_ms").is_null());  // a past time lifts it
}

}  // namespace
}  // namespace gaia::api
