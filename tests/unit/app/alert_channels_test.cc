// The alert channels with a real evaluator and store: a webhook receiver that never answers
// does not hold up evaluation rounds, and the log channel's line.

#include "app/alert_channels.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>
#include <sstream>
#include <thread>

#include "alerts/evaluator.h"
#include "http/server.h"
#include "store/sqlite/sqlite_store.h"
#include "support/eventually.h"
#include "support/loopback_server.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::app {
namespace {

using namespace std::chrono_literals;

class FixedMetrics : public alerts::MetricSource {
 public:
  void read(std::string_view, alerts::ScopeKind, std::vector<alerts::Sample>& out) override {
    out.push_back({"", value});
  }
  double value = 100;
};

// Accepts POST /hook and never answers until destroyed.
class SilentReceiver {
 public:
  SilentReceiver() {
    http::Router router;
    router.add_async("POST", "/hook", [this](const http::Request& req, http::Responder respond) {
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(req.body);
      }
      server_->hold(std::move(respond));
    });
    server_ = std::make_unique<testing::LoopbackServer>(std::move(router));
  }
  std::string url() const { return server_->url("/hook"); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::unique_ptr<testing::LoopbackServer> server_;  // last: stops before the state above goes
};

TEST(AlertChannelsTest, ASilentWebhookDoesNotHoldUpEvaluation) {
  testing::ManualClock clock;
  testing::TempDir dir;
  auto store = store::sqlite::SqliteStore::open(dir.file("gaia.db"), clock);
  ASSERT_TRUE(store.ok());
  SilentReceiver receiver;
  auto client = api::WebhookClient::make(
      {.url = receiver.url(), .secret = "k", .timeout = 30s, .max_attempts = 1}, clock);
  ASSERT_TRUE(client.ok());
  WebhookChannel webhook(*client.value());
  FixedMetrics metrics;
  alerts::Evaluator evaluator(*store.value(), metrics, clock, {});
  evaluator.add_channel("webhook", webhook);
  ASSERT_TRUE(evaluator.load({}).ok());
  alerts::AlertRule rule;
  rule.name = "hot";
  rule.metric = "cpu_pct";
  rule.threshold = 50;
  rule.cooldown = 0s;
  rule.channels = {"webhook"};
  ASSERT_TRUE(evaluator.create_rule(rule).ok());

  evaluator.evaluate();  // fires: the first delivery starts and is never answered
  ASSERT_TRUE(testing::eventually([&] { return !receiver.bodies().empty(); }, 10s, 10ms));
  ASSERT_EQ(receiver.bodies().size(), 1u);
  // While that delivery hangs, rounds go on: the alert resolves and fires again, queued.
  for (double v : {10.0, 100.0, 10.0}) {
    metrics.value = v;
    clock.advance(10s);
    evaluator.evaluate();
  }
  EXPECT_EQ(evaluator.summary().rounds, 4u);
  EXPECT_EQ(client.value()->health().queued, 4u);  // the hanging one and three more
  EXPECT_EQ(client.value()->health().delivered, 0u);
  boost::json::value first = boost::json::parse(receiver.bodies()[0]);
  EXPECT_EQ(first.at("event"), "firing");
  EXPECT_EQ(first.at("rule_name"), "hot");
  EXPECT_EQ(first.at("alerts").at(0).at("scope"), "global");
}

// A group of `n` alerts of rule 16 on users u0, u1, ... with values n, n-1, ...
alerts::AlertGroup group_of(size_t n) {
  alerts::AlertGroup g;
  g.rule_id = 16;
  g.rule_name = "Repeat violator";
  g.metric = "detector_violators";
  g.severity = "warning";
  g.threshold = 0;
  g.at_ms = 1'767'571'200'000;
  g.firing = n;
  for (size_t i = 0; i < n; ++i) {
    g.alerts.push_back(
        {100 + i, "user:u" + std::to_string(i), static_cast<double>(n - i), 1'767'571'190'000});
  }
  return g;
}

TEST(AlertChannelsTest, TheLogLineSaysWhatFiredWhereAndWhy) {
  std::ostringstream out;
  LogChannel log(out);
  alerts::AlertGroup g;
  g.rule_id = 5;
  g.rule_name = "CPU saturated";
  g.metric = "cpu_pct";
  g.severity = "critical";
  g.threshold = 90;
  g.alerts.push_back({12, "global", 97.5, 0});
  log.notify(g);
  EXPECT_EQ(out.str(),
            "[ALERT] firing critical \"CPU saturated\" (rule 5) cpu_pct (threshold 90), 1 alert: "
            "global 97.5 (alert 12)\n");
}

TEST(AlertChannelsTest, AGroupIsOneLogLineNamingTheFirstFewAndCountingTheRest) {
  std::ostringstream out;
  LogChannel log(out);
  alerts::AlertGroup g = group_of(200);
  g.event = alerts::AlertEvent::kResolved;
  log.notify(g);
  EXPECT_EQ(out.str(),
            "[ALERT] resolved warning \"Repeat violator\" (rule 16) detector_violators (threshold "
            "0), 200 alerts: user:u0 200 (alert 100), user:u1 199 (alert 101), user:u2 198 (alert "
            "102), user:u3 197 (alert 103), user:u4 196 (alert 104) and 195 more\n");
}

TEST(AlertChannelsTest, TheWebhookBodyListsTheGroupUpToItsBound) {
  boost::json::value small = boost::json::parse(webhook_payload(group_of(3)));
  EXPECT_EQ(small.at("event"), "firing");
  EXPECT_EQ(small.at("rule_id"), 16);
  EXPECT_EQ(small.at("severity"), "warning");
  EXPECT_EQ(small.at("at_ms"), 1'767'571'200'000);
  EXPECT_EQ(small.at("counts").at("alerts"), 3);
  EXPECT_EQ(small.at("counts").at("listed"), 3);
  EXPECT_EQ(small.at("counts").at("firing"), 3);
  const boost::json::value& first = small.at("alerts").at(0);
  EXPECT_EQ(first.at("id"), 100);
  EXPECT_EQ(first.at("scope"), "user:u0");
  EXPECT_EQ(first.at("value").to_number<double>(), 3.0);
  EXPECT_EQ(first.at("since_ms"), 1'767'571'190'000);

  boost::json::value big = boost::json::parse(webhook_payload(group_of(kWebhookListed + 7)));
  EXPECT_EQ(big.at("counts").at("alerts"), kWebhookListed + 7);
  EXPECT_EQ(big.at("counts").at("listed"), kWebhookListed);
  EXPECT_EQ(big.at("alerts").as_array().size(), kWebhookListed);
}

// The live feed's side: what was published, by type.
class RecordingFeed : public http::LiveFeed {
 public:
  void publish(std::string_view type, boost::json::object data) override {
    published.emplace_back(std::string(type), std::move(data));
  }
  std::vector<std::pair<std::string, boost::json::object>> published;
};

TEST(AlertChannelsTest, TheLiveFeedGetsOneAlertGroupMessageListingTheFirstFew) {
  RecordingFeed feed;
  FeedChannel channel(feed);
  channel.notify(group_of(1000));
  ASSERT_EQ(feed.published.size(), 1u);
  EXPECT_EQ(feed.published[0].first, "alert_group");
  const boost::json::object& data = feed.published[0].second;
  EXPECT_EQ(data.at("counts").at("alerts"), 1000);
  EXPECT_EQ(data.at("alerts").as_array().size(), kFeedListed);
  EXPECT_EQ(data.at("alerts").at(0).at("scope"), "user:u0");
}

}  // namespace
}  // namespace gaia::app
