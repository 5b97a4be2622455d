// The alert system through the real gaia_server: the rules API (admin only, validated,
// audited, effective without a restart), a rule firing on the server's own timer and
// reaching the log and a webhook receiver the test runs (signature verified), the alerts
// list with its transitions, acknowledging and silencing, the health details' "alerts"
// section, and a flood of repeat violators told as one notification.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/loopback_port.h"
#include "support/raw_http_client.h"
#include "support/webhook_receiver.h"

namespace gaia::testing {
namespace {

using namespace std::chrono_literals;

const std::string kAdminKey = "alerts-integration-admin-key-0123456789";
const std::string kSecret = "webhook-shared-secret";

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

// Waits (never asserting how long) until `done` holds, at most about twenty seconds.
template <class Fn>
bool eventually(Fn done) {
  return testing::eventually(done, 20s, 100ms);
}

class AlertsTest : public GaiaServerTest {
 protected:
  AlertsTest() : GaiaServerTest(kAdminKey) {}
  void start(std::vector<std::string> extra_env = {}) {
    extra_env.insert(extra_env.begin(), {"GAIA_EXEC_WORKERS=1", "GAIA_ALERT_INTERVAL_S=1"});
    GaiaServerTest::start(extra_env);
  }
  std::optional<RawResponse> call(std::string_view method, std::string_view path,
                                  std::string_view body = {}, std::string_view key = kAdminKey) {
    return http_request(port_, method, path, key, body);
  }
  std::string user_key(const std::string& name) {
    return create_user_key(name, R"({"name":")" + name + R"("})");
  }
};

TEST_F(AlertsTest, EveryEndpointNeedsAnAdmin) {
  start();
  const std::string user = user_key("ann");
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/admin/alerts"},
      {"POST", "/api/admin/alerts/1/ack"},
      {"POST", "/api/admin/alerts/1/silence"},
      {"GET", "/api/admin/alerts/rules"},
      {"POST", "/api/admin/alerts/rules"},
      {"PUT", "/api/admin/alerts/rules/1"},
      {"DELETE", "/api/admin/alerts/rules/1"}};
  for (const auto& [method, path] : routes) {
    auto anonymous = call(method, path, "{}", "");
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401) << method << " " << path;
    auto plain = call(method, path, "{}", user);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->status, 403) << method << " " << path;
  }
}

TEST_F(AlertsTest, RulesAreValidatedAuditedAndKeptAcrossARestart) {
  start();
  auto listed = call("GET", "/api/admin/alerts/rules");
  ASSERT_TRUE(listed && listed->status == 200);
  const size_t shipped = json_of(*listed).at("rules").as_array().size();
  EXPECT_GE(shipped, 10u);  // the default rules
  EXPECT_GE(json_of(*listed).at("metrics").as_array().size(), 10u);

  auto bad = call("POST", "/api/admin/alerts/rules",
                  R"({"name":"x","metric":"cpu_pct","condition":"=>","threshold":1})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json_of(*bad).at("error"), "invalid_request");
  EXPECT_EQ(json_of(*bad).at("field"), "condition");
  auto not_json = call("POST", "/api/admin/alerts/rules", "{");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(json_of(*not_json).at("field"), "body");

  auto made = call("POST", "/api/admin/alerts/rules",
                   R"({"name":"Hot","metric":"cpu_pct","condition":">","threshold":95,"for":60})");
  ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "");
  const uint64_t id = json_of(*made).at("id").to_number<uint64_t>();
  const std::string path = "/api/admin/alerts/rules/" + std::to_string(id);
  auto replaced =
      call("PUT", path, R"({"name":"Hotter","metric":"cpu_pct","condition":">","threshold":99})");
  ASSERT_TRUE(replaced && replaced->status == 200) << (replaced ? replaced->body : "");
  EXPECT_EQ(json_of(*replaced).at("name"), "Hotter");
  auto bad_put = call("PUT", path, R"({"name":"Hotter","metric":"cpu_pct","threshold":99})");
  ASSERT_TRUE(bad_put);
  EXPECT_EQ(bad_put->status, 400);
  EXPECT_EQ(json_of(*bad_put).at("field"), "condition");
  auto missing = call("PUT", "/api/admin/alerts/rules/99999",
                      R"({"name":"x","metric":"cpu_pct","condition":">","threshold":1})");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'alert.rule.%'"), 2);

  stop();
  start();
  listed = call("GET", "/api/admin/alerts/rules");
  ASSERT_TRUE(listed && listed->status == 200);
  EXPECT_EQ(json_of(*listed).at("rules").as_array().size(), shipped + 1);
  auto deleted = call("DELETE", path);
  ASSERT_TRUE(deleted && deleted->status == 200);
  EXPECT_EQ(call("DELETE", path)->status, 404);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'alert.rule.delete'"), 1);
}

TEST_F(AlertsTest, ARuleFiresToTheLogAndASignedWebhookAndCanBeAcknowledged) {
  WebhookReceiver receiver;
  start({"GAIA_ALERT_WEBHOOK_URL=" + receiver.url(), "GAIA_ALERT_WEBHOOK_SECRET=" + kSecret});
  // Always true while the store is healthy: fires at the next round.
  auto made = call("POST", "/api/admin/alerts/rules",
                   R"({"name":"Store is up","metric":"store_healthy","condition":">=",
                       "threshold":1,"severity":"info","channels":["log","webhook"]})");
  ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "");
  const uint64_t rule_id = json_of(*made).at("id").to_number<uint64_t>();

  auto line = server_->read_line_starting("[ALERT] firing info \"Store is up\"");
  ASSERT_TRUE(line) << server_->stdout_;
  ASSERT_TRUE(eventually([&] { return !receiver.got().empty(); }));
  const auto [body, signature] = receiver.got()[0];
  EXPECT_TRUE(signed_with(kSecret, body, signature)) << signature;
  boost::json::value payload = boost::json::parse(body);
  EXPECT_EQ(payload.at("event"), "firing");
  EXPECT_EQ(payload.at("rule_id").to_number<uint64_t>(), rule_id);
  EXPECT_EQ(payload.at("alerts").at(0).at("scope"), "global");

  auto listed = call("GET", "/api/admin/alerts?state=firing&rule=" + std::to_string(rule_id));
  ASSERT_TRUE(listed && listed->status == 200);
  const boost::json::value page = json_of(*listed);
  const boost::json::array& alerts = page.at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 1u);
  const uint64_t alert_id = alerts[0].at("id").to_number<uint64_t>();
  EXPECT_EQ(alerts[0].at("scope"), "global");
  EXPECT_EQ(alerts[0].at("value").as_double(), 1.0);
  EXPECT_TRUE(alerts[0].at("ack").is_null());
  EXPECT_EQ(alerts[0].at("transitions").as_array().size(), 2u);  // pending, firing

  const std::string base = "/api/admin/alerts/" + std::to_string(alert_id);
  auto acked = call("POST", base + "/ack", R"({"note":"known"})");
  ASSERT_TRUE(acked && acked->status == 200) << (acked ? acked->body : "");
  EXPECT_EQ(json_of(*acked).at("ack").at("by"), "admin");
  EXPECT_EQ(json_of(*acked).at("ack").at("note"), "known");
  auto silenced = call("POST", base + "/silence", R"({"until_ms":4102444800000})");
  ASSERT_TRUE(silenced && silenced->status == 200);
  EXPECT_EQ(json_of(*silenced).at("silenced_until_ms").as_int64(), 4102444800000);
  auto bad_until = call("POST", base + "/silence", R"({"until_ms":"soon"})");
  ASSERT_TRUE(bad_until);
  EXPECT_EQ(bad_until->status, 400);
  EXPECT_EQ(json_of(*bad_until).at("field"), "until_ms");
  EXPECT_EQ(call("POST", "/api/admin/alerts/99999/ack", "{}")->status, 404);
  EXPECT_EQ(call("GET", "/api/admin/alerts?state=burning")->status, 400);
  EXPECT_EQ(call("GET", "/api/admin/alerts?limit=0")->status, 400);
  EXPECT_EQ(
      count_rows("SELECT COUNT(*) FROM audit_log WHERE action IN ('alert.ack','alert.silence')"),
      2);

  auto health = http_request(port_, "GET", "/api/admin/health", kAdminKey, "");
  ASSERT_TRUE(health && health->status == 200);
  const boost::json::value h = json_of(*health);
  EXPECT_GE(h.at("alerts").at("firing").to_number<uint64_t>(), 1u);
  EXPECT_GE(h.at("alerts").at("webhook").at("delivered").to_number<uint64_t>(), 1u);
  EXPECT_EQ(h.at("alerts").at("webhook").at("failed").to_number<uint64_t>(), 0u);
}

TEST_F(AlertsTest, ADeadWebhookShowsOnHealthAndBlocksNothing) {
  // Nobody listens on this port: every delivery fails, retried with backoff in the background.
  start({"GAIA_ALERT_WEBHOOK_URL=http://127.0.0.1:" + std::to_string(refused_port()) + "/x"});
  auto made = call("POST", "/api/admin/alerts/rules",
                   R"({"name":"Store is up","metric":"store_healthy","condition":">=",
                       "threshold":1,"channels":["webhook"]})");
  ASSERT_TRUE(made && made->status == 201);
  // Rounds go on while the webhook fails: the evaluator keeps counting them.
  uint64_t rounds = 0;
  ASSERT_TRUE(eventually([&] {
    auto health = http_request(port_, "GET", "/api/admin/health", kAdminKey, "");
    if (!health || health->status != 200) return false;
    const boost::json::value h = json_of(*health);
    rounds = h.at("alerts").at("rounds").to_number<uint64_t>();
    return !h.at("alerts").at("webhook").at("last_error").as_string().empty() && rounds >= 3;
  }));
  auto listed = call("GET", "/api/admin/alerts?state=firing");
  ASSERT_TRUE(listed && listed->status == 200);
  EXPECT_EQ(json_of(*listed).at("alerts").as_array().size(), 1u);
}

TEST_F(AlertsTest, AFloodOfRepeatViolatorsIsOneNotificationCoveringEveryUser) {
  WebhookReceiver receiver;
  start({"GAIA_ANALYTICS_FLUSH_S=1", "GAIA_ALERT_WEBHOOK_URL=" + receiver.url(),
         "GAIA_ALERT_WEBHOOK_SECRET=" + kSecret});
  // The shipped rule, held back while the flood is rolled up, so that one round meets it whole.
  auto listed = call("GET", "/api/admin/alerts/rules");
  ASSERT_TRUE(listed && listed->status == 200);
  const boost::json::value shipped = json_of(*listed);
  boost::json::object rule;
  for (const boost::json::value& r : shipped.at("rules").as_array()) {
    if (r.at("name") == "Repeat violator") rule = r.as_object();
  }
  ASSERT_FALSE(rule.empty());
  const uint64_t rule_id = rule.at("id").to_number<uint64_t>();
  const std::string rule_path = "/api/admin/alerts/rules/" + std::to_string(rule_id);
  rule["enabled"] = false;
  ASSERT_EQ(call("PUT", rule_path, boost::json::serialize(rule))->status, 200);

  // Each user may run one review a day and asks twelve times: eleven refusals, more than the
  // detector's ten.
  constexpr int kUsers = 200;
  constexpr int kChecks = 12;
  std::set<std::string> scopes;
  int refused = 0;
  for (int u = 0; u < kUsers; ++u) {
    const std::string name = "flood" + std::to_string(u);
    scopes.insert("user:" + name);
    const std::string key =
        create_user_key(name, R"({"name":")" + name + R"("})",
                        R"({"limits":[{"type":"review","kind":"calendar","period":"day",)"
                        R"("amount":1}]})");
    ASSERT_FALSE(key.empty());
    for (int i = 0; i < kChecks; ++i) {
      auto r = call("POST", "/api/v1/check", R"({"type":"review","command":"make review"})", key);
      ASSERT_TRUE(r);
      refused += r->status == 429 ? 1 : 0;
    }
  }
  ASSERT_EQ(refused, kUsers * (kChecks - 1));
  ASSERT_TRUE(eventually([&] {
    auto v = call("GET", "/api/admin/analytics/violators");
    return v && v->status == 200 && json_of(*v).at("items").as_array().size() == kUsers;
  }));

  rule["enabled"] = true;
  ASSERT_EQ(call("PUT", rule_path, boost::json::serialize(rule))->status, 200);
  auto of_rule = [&] {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& delivery : receiver.got()) {
      if (boost::json::parse(delivery.first).at("rule_id") == rule_id) out.push_back(delivery);
    }
    return out;
  };
  ASSERT_TRUE(eventually([&] { return !of_rule().empty(); }));
  // Three more rounds, in which nothing of this rule changes.
  auto rounds = [&] {
    auto health = http_request(port_, "GET", "/api/admin/health", kAdminKey, "");
    return health && health->status == 200
               ? json_of(*health).at("alerts").at("rounds").to_number<uint64_t>()
               : 0;
  };
  const uint64_t after_firing = rounds();
  ASSERT_TRUE(eventually([&] { return rounds() >= after_firing + 3; }));

  const auto deliveries = of_rule();
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_TRUE(signed_with(kSecret, deliveries[0].first, deliveries[0].second));
  const boost::json::value group = boost::json::parse(deliveries[0].first);
  EXPECT_EQ(group.at("event"), "firing");
  EXPECT_EQ(group.at("rule_name"), "Repeat violator");
  EXPECT_EQ(group.at("severity"), "warning");
  EXPECT_EQ(group.at("counts").at("alerts"), kUsers);
  EXPECT_EQ(group.at("counts").at("listed"), kUsers);
  EXPECT_EQ(group.at("counts").at("firing"), kUsers);
  std::set<std::string> covered;
  for (const boost::json::value& a : group.at("alerts").as_array()) {
    covered.insert(std::string(a.at("scope").as_string()));
    EXPECT_EQ(a.at("value").to_number<double>(), kChecks - 1);
  }
  EXPECT_EQ(covered, scopes);
  // No rule told the webhook twice in a round.
  std::set<std::tuple<uint64_t, std::string, int64_t>> told;
  for (auto& [body, signature] : receiver.got()) {
    boost::json::value g = boost::json::parse(body);
    EXPECT_TRUE(told.insert({g.at("rule_id").to_number<uint64_t>(),
                             std::string(g.at("event").as_string()), g.at("at_ms").as_int64()})
                    .second)
        << body;
  }

  // Every user keeps an alert of its own, to acknowledge or silence.
  auto firing =
      call("GET", "/api/admin/alerts?state=firing&limit=1000&rule=" + std::to_string(rule_id));
  ASSERT_TRUE(firing && firing->status == 200);
  const boost::json::value firing_page = json_of(*firing);
  const boost::json::array& alerts = firing_page.at("alerts").as_array();
  ASSERT_EQ(alerts.size(), static_cast<size_t>(kUsers));
  auto acked =
      call("POST", "/api/admin/alerts/" + std::to_string(alerts[0].at("id").as_int64()) + "/ack",
           R"({"note":"one of many"})");
  ASSERT_TRUE(acked && acked->status == 200);

  // The log has one line for the whole incident.
  server_->signal(SIGTERM);
  ASSERT_EQ(server_->wait_exit(), 0);
  std::istringstream log(server_->stdout_);
  std::vector<std::string> lines;
  for (std::string line; std::getline(log, line);) {
    if (line.find("[ALERT] firing warning \"Repeat violator\"") != std::string::npos) {
      lines.push_back(line);
    }
  }
  ASSERT_EQ(lines.size(), 1u) << server_->stdout_;
  EXPECT_NE(lines[0].find("200 alerts: user:flood"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(" and 195 more"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace gaia::testing
