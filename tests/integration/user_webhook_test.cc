// A user's own webhook through the real gaia_server: an admin sets it (validated, shown
// redacted), and each quota warning of that user reaches the receiver the test runs, signed
// like the alert webhook, once per threshold and period and never for a refusal, counted in
// /metrics; on PostgreSQL, a webhook set on one node serves the warnings of another.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "support/eventually.h"
#include "support/gaia_nodes.h"
#include "support/gaia_server_test.h"
#include "support/postgres_cluster.h"
#include "support/raw_http_client.h"
#include "support/webhook_receiver.h"

namespace gaia::testing {
namespace {

using namespace std::chrono_literals;

const std::string kAdminKey = "user-webhook-integration-admin-key-0123456789";
const std::string kSecret = "webhook-shared-secret";

class UserWebhookTest : public GaiaServerTest {
 protected:
  UserWebhookTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override { start({"GAIA_EXEC_WORKERS=1", "GAIA_ALERT_WEBHOOK_SECRET=" + kSecret}); }
  RawResponse call(std::string_view method, std::string_view path, std::string_view body = {},
                   std::string_view key = kAdminKey) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << ' ' << path;
    return r.value_or(RawResponse{});
  }
  // A user whose key has 10 shell commands a day; returns the key.
  std::string ten_a_day(const std::string& name) {
    return create_user_key(
        name, R"({"name":")" + name + R"("})",
        R"({"limits":[{"kind":"calendar","period":"day","amount":10,"type":"shell"}]})");
  }
  RawResponse set_webhook(const std::string& name, const std::string& url) {
    return call("PATCH", "/api/admin/users/" + name,
                boost::json::serialize(boost::json::object{{"webhook_url", url}}));
  }
  boost::json::value shown_user(const std::string& name) {
    return boost::json::parse(call("GET", "/api/admin/users/" + name).body).at("user");
  }
  int check(const std::string& key) {
    return call("POST", "/api/v1/check", R"({"type":"shell"})", key).status;
  }
  // The value of gaia_user_webhook_deliveries{outcome} in /metrics, -1 when absent.
  double deliveries(const std::string& outcome) {
    const std::string body = call("GET", "/metrics").body;
    const std::string series = "gaia_user_webhook_deliveries{outcome=\"" + outcome + "\"} ";
    const size_t at = body.find(series);
    return at == std::string::npos ? -1 : std::stod(body.substr(at + series.size()));
  }
};

TEST_F(UserWebhookTest, EachThresholdReachesTheUsersWebhookSignedOnceAndARefusalNever) {
  WebhookReceiver ann_hook("/ann");
  WebhookReceiver bob_hook("/bob");
  const std::string ann = ten_a_day("ann");
  const std::string bob = ten_a_day("bob");
  ASSERT_EQ(set_webhook("ann", ann_hook.url()).status, 200);
  ASSERT_EQ(set_webhook("bob", bob_hook.url()).status, 200);

  std::vector<int> statuses;
  for (int i = 0; i < 12; ++i) statuses.push_back(check(ann));
  EXPECT_EQ(statuses,
            (std::vector<int>{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429}));
  // Deliveries go out one at a time in order: once bob's warning has arrived, anything ann's
  // checks queued before it has too.
  for (int i = 0; i < 8; ++i) EXPECT_EQ(check(bob), 200);
  ASSERT_TRUE(eventually([&] { return !bob_hook.got().empty(); }, 20s, 50ms));

  const auto got = ann_hook.got();
  ASSERT_EQ(got.size(), 2u) << "one per threshold, none for the refusals";
  const int thresholds[] = {80, 95};
  for (size_t i = 0; i < got.size(); ++i) {
    const auto& [body, signature] = got[i];
    EXPECT_TRUE(signed_with(kSecret, body, signature)) << signature;
    const boost::json::value sent = boost::json::parse(body);
    EXPECT_EQ(sent.at("event"), "quota_warning");
    const boost::json::value& w = sent.at("warning");
    EXPECT_EQ(w.at("user"), "ann");
    EXPECT_EQ(w.at("type"), "shell");
    EXPECT_EQ(w.at("period"), "day");
    EXPECT_EQ(w.at("amount"), 10);
    EXPECT_EQ(w.at("threshold_pct"), thresholds[i]);
  }
  EXPECT_EQ(boost::json::parse(bob_hook.got().at(0).first).at("warning").at("user"), "bob");
  ASSERT_TRUE(eventually([&] { return deliveries("delivered") == 3; }, 20s, 50ms));
  EXPECT_EQ(deliveries("failed"), 0);
  EXPECT_EQ(deliveries("dropped"), 0);
}

TEST_F(UserWebhookTest, AUserWithoutAWebhookGetsNothingAndAClearedOneStopsGetting) {
  WebhookReceiver hook("/ann");
  const std::string ann = ten_a_day("ann");
  ASSERT_EQ(set_webhook("ann", hook.url()).status, 200);
  const RawResponse cleared = set_webhook("ann", "");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(boost::json::parse(cleared.body).at("webhook_url").is_null());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(check(ann), 200);
  EXPECT_EQ(deliveries("delivered"), 0);
  EXPECT_EQ(deliveries("failed"), 0);
  EXPECT_TRUE(hook.got().empty());
}

TEST_F(UserWebhookTest, ABadUrlIsRefusedNamingTheFieldAndChangesNothing) {
  ten_a_day("ann");
  ASSERT_EQ(set_webhook("ann", "https://hooks.example/ann").status, 200);
  for (const std::string bad :
       {"ftp://hooks.example/x?token=hunter2", "hooks.example/x", "http://",
        "https://u:hunter2@hooks.example/x", "http://hooks.example:0/?token=hunter2"}) {
    const RawResponse r = set_webhook("ann", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(boost::json::parse(r.body).at("field"), "webhook_url") << r.body;
    EXPECT_EQ(r.body.find("hunter2"), std::string::npos) << r.body;  // no secret told back
  }
  const RawResponse not_text = call("PATCH", "/api/admin/users/ann", R"({"webhook_url":5})");
  EXPECT_EQ(not_text.status, 400);
  EXPECT_EQ(boost::json::parse(not_text.body).at("field"), "webhook_url") << not_text.body;
  EXPECT_EQ(call("PATCH", "/api/admin/users/ann", "{}").status, 400);
  EXPECT_EQ(shown_user("ann").at("webhook_url"), "https://hooks.example/ann");
  EXPECT_EQ(set_webhook("nobody", "https://hooks.example/x").status, 404);
}

TEST_F(UserWebhookTest, OnlyAnAdminSetsItAndAdminsSeeItRedacted) {
  const std::string ann = ten_a_day("ann");
  const std::string url =
      "https://hooks.example/services/T0123456789ABCDEFGHIJ?token=hush-hush-123";
  EXPECT_EQ(call("PATCH", "/api/admin/users/ann",
                 boost::json::serialize(boost::json::object{{"webhook_url", url}}), ann)
                .status,
            403);
  ASSERT_EQ(set_webhook("ann", url).status, 200);
  const std::string shown(shown_user("ann").at("webhook_url").as_string());
  EXPECT_EQ(shown.find("hush-hush"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("T0123456789ABCDEFGHIJ"), std::string::npos) << shown;
  EXPECT_EQ(shown.rfind("https://hooks.example/", 0), 0u) << shown;
  const std::string listed = call("GET", "/api/admin/users?q=ann").body;
  EXPECT_EQ(listed.find("hush-hush"), std::string::npos) << listed;
  ASSERT_TRUE(eventually(
      [&] {
        return count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'user.webhook'") == 1;
      },
      20s, 50ms));
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE after LIKE '%hush-hush%'"), 0);
}

class UserWebhookClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    postgres_ = PostgresCluster::create(error).release();
    ASSERT_NE(postgres_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete postgres_;
    postgres_ = nullptr;
  }
  void SetUp() override {
    nodes_ = std::make_unique<GaiaNodes>(kAdminKey, postgres_->create_database());
    ASSERT_TRUE(nodes_->start(2, {"GAIA_ALERT_WEBHOOK_SECRET=" + kSecret}));
  }
  void TearDown() override { EXPECT_TRUE(nodes_->stop()); }
  RawResponse call(size_t node, std::string_view method, std::string_view path,
                   std::string_view body = {}, std::string_view key = kAdminKey) {
    auto r = http_request(nodes_->port(node), method, path, key, body);
    EXPECT_TRUE(r) << method << ' ' << path << " on node " << node;
    return r.value_or(RawResponse{});
  }

  static PostgresCluster* postgres_;
  std::unique_ptr<GaiaNodes> nodes_;
};

PostgresCluster* UserWebhookClusterTest::postgres_ = nullptr;

TEST_F(UserWebhookClusterTest, AWebhookSetOnOneNodeGetsTheWarningsAnotherGives) {
  WebhookReceiver hook("/ann");
  ASSERT_EQ(call(0, "POST", "/api/admin/users", R"({"name":"ann"})").status, 201);
  const RawResponse made =
      call(0, "POST", "/api/admin/users/ann/keys",
           R"({"limits":[{"kind":"calendar","period":"day","amount":10,"type":"shell"}]})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string key(boost::json::parse(made.body).at("key").as_string());
  ASSERT_EQ(call(0, "PATCH", "/api/admin/users/ann",
                 boost::json::serialize(boost::json::object{{"webhook_url", hook.url()}}))
                .status,
            200);
  // Node 1 has the key and the webhook once its change feed reloaded the user.
  ASSERT_TRUE(eventually(
      [&] {
        const RawResponse r = call(1, "GET", "/api/admin/users/ann");
        return r.status == 200 &&
               !boost::json::parse(r.body).at("user").at("webhook_url").is_null() &&
               call(1, "GET", "/api/v1/quota", {}, key).status == 200;
      },
      15s, 20ms));

  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(call(1, "POST", "/api/v1/check", R"({"type":"shell"})", key).status, 200);
  }
  ASSERT_TRUE(eventually([&] { return !hook.got().empty(); }, 20s, 50ms));
  const auto [body, signature] = hook.got().at(0);
  EXPECT_TRUE(signed_with(kSecret, body, signature)) << signature;
  const boost::json::value w = boost::json::parse(body).at("warning");
  EXPECT_EQ(w.at("user"), "ann");
  EXPECT_EQ(w.at("threshold_pct"), 80);
}

}  // namespace
}  // namespace gaia::testing
