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
  EXPECT_EQ(first.at("alert").at("rule_name"), "hot");
}

TEST(AlertChannelsTest, TheLogLineSaysWhatFiredWhereAndWhy) {
  std::ostringstream out;
  LogChannel log(out);
  store::StoredAlert a;
  a.id = 12;
  a.rule_id = 5;
  a.rule_name = "CPU saturated";
  a.metric = "cpu_pct";
  a.scope = "global";
  a.severity = "critical";
  a.value = 97.5;
  a.threshold = 90;
  log.notify(a, alerts::AlertEvent::kFiring);
  EXPECT_EQ(out.str(),
            "[ALERT] firing critical \"CPU saturated\" (rule 5, alert 12) global: cpu_pct 97.5 "
            "(threshold 90)\n");
}

}  // namespace
}  // namespace gaia::app
