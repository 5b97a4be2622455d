// Capacity through the real gaia_server: agents' commands waiting on a slow reviewer hold no
// thread that other requests need, so an admin listing and a check are answered while they
// wait; and a client past its cap on open connections is closed at once and counted in
// /metrics, while its other connections go on being served.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/server.h"
#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/loopback_server.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

using namespace std::chrono_literals;

const std::string kAdminKey = "capacity-integration-admin-key-0123456789";

// The reviewer: holds every question unanswered until the test answers them all.
class SlowReviewer {
 public:
  SlowReviewer() {
    http::Router router;
    router.add_async("POST", "/review", [this](const http::Request&, http::Responder respond) {
      std::lock_guard lock(mu_);
      held_.push_back(std::move(respond));
    });
    server_ = std::make_unique<LoopbackServer>(std::move(router));
  }
  ~SlowReviewer() { answer_all("deny"); }
  std::string url() const { return server_->url("/review"); }
  size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  void answer_all(const std::string& decision) {
    std::vector<http::Responder> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (http::Responder& r : held) {
      r(http::json_response(200, {{"decision", decision}, {"reason", "the test decided"}}));
    }
  }

 private:
  std::mutex mu_;
  std::vector<http::Responder> held_;
  std::unique_ptr<LoopbackServer> server_;  // last: stops before the state above goes
};

class CapacityTest : public GaiaServerTest {
 protected:
  CapacityTest() : GaiaServerTest(kAdminKey) {}
};

std::string exec_request(const std::string& key, const std::string& body) {
  return "POST /api/v1/exec HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + key +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

TEST_F(CapacityTest, AnAdminListingAndACheckAreAnsweredWhileAgentsCommandsWaitForTheReviewer) {
  SlowReviewer reviewer;
  start({"CLAUDE_CONFIRM_AI_ENABLED=true", "GAIA_CONFIRM_REVIEWER_URL=" + reviewer.url(),
         "GAIA_CONFIRM_REVIEWER_TIMEOUT_MS=60000", "GAIA_EXEC_WORKERS=1"});
  const std::string key = create_user_key("agent", R"({"name":"agent"})");
  ASSERT_FALSE(key.empty());

  // More agents' commands than any pool has threads, each on its own connection; no pattern
  // decides them, so each waits for the reviewer.
  constexpr size_t kWaiting = 8;
  std::vector<std::unique_ptr<RawHttpConnection>> execs;
  for (size_t i = 0; i < kWaiting; ++i) {
    execs.push_back(std::make_unique<RawHttpConnection>(port_, 60s));
    ASSERT_TRUE(execs.back()->send(
        exec_request(key, R"({"type":"shell","agent":true,"argv":["/bin/sleep","0"],"id":"wait-)" +
                              std::to_string(i) + R"("})")));
  }
  ASSERT_TRUE(eventually([&] { return reviewer.held() == kWaiting; }, 20s, 20ms))
      << "every command reaches the reviewer; held: " << reviewer.held();

  auto listing = http_request(port_, "GET", "/api/admin/users", kAdminKey);
  ASSERT_TRUE(listing) << "the admin listing is answered while the commands wait";
  EXPECT_EQ(listing->status, 200) << listing->body;
  auto check = http_request(port_, "POST", "/api/v1/check", key, R"({"type":"shell"})");
  ASSERT_TRUE(check);
  EXPECT_EQ(check->status, 200) << check->body;
  // Both answered before the reviewer was: every command is still waiting.
  EXPECT_EQ(reviewer.held(), kWaiting);

  reviewer.answer_all("deny");
  for (auto& c : execs) {
    auto answer = c->read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 403) << answer->body;
    EXPECT_EQ(boost::json::parse(answer->body).at("error"), "denied");
  }
}

// The value of the series `series` (name and labels) in a /metrics text; -1 when absent.
double metric(const std::string& text, const std::string& series) {
  const std::string line_start = "\n" + series + " ";
  const size_t at = text.find(line_start);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line_start.size()));
}

class ConnectionCapTest : public GaiaServerTest {
 protected:
  ConnectionCapTest() : GaiaServerTest(kAdminKey) {}
  // A connection the server has accepted and answered on (retried while the cap is still
  // taken by connections the server has not yet seen close).
  std::unique_ptr<RawHttpConnection> served() {
    std::unique_ptr<RawHttpConnection> c;
    eventually(
        [&] {
          c = std::make_unique<RawHttpConnection>(port_);
          return health(*c);
        },
        10s, 20ms);
    return c;
  }
  static bool health(RawHttpConnection& c) {
    if (!c.send(get_request("/health"))) return false;
    auto r = c.read_response();
    return r && r->status == 200;
  }
  static std::string metrics(RawHttpConnection& c) {
    EXPECT_TRUE(c.send(get_request("/metrics")));
    auto r = c.read_response();
    EXPECT_TRUE(r && r->status == 200);
    return r ? "\n" + r->body : "";
  }
};

TEST_F(ConnectionCapTest, AConnectionPastTheCapOnOneClientIsClosedAtOnceAndCounted) {
  start({"GAIA_METRICS_OPEN=true"}, {"--http-max-connections-per-ip=3"});
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (int i = 0; i < 3; ++i) open.push_back(served());
  for (auto& c : open) ASSERT_TRUE(c && c->connected());
  const std::string key = R"(gaia_http_connections_refused_total{reason="per_ip"})";
  const double refused_before = metric(metrics(*open[0]), key);
  ASSERT_GE(refused_before, 0);

  RawHttpConnection past_the_cap(port_);
  EXPECT_TRUE(past_the_cap.wait_for_close()) << "the fourth connection is closed unread";

  const std::string after = metrics(*open[0]);
  EXPECT_EQ(metric(after, key), refused_before + 1);
  EXPECT_EQ(metric(after, R"(gaia_http_connections_refused_total{reason="total"})"), 0);
  EXPECT_TRUE(eventually([&] { return metric(metrics(*open[1]), "gaia_http_connections") == 3; },
                         10s, 20ms))
      << "the three connections are open and served";
  EXPECT_TRUE(health(*open[2]));

  open[0].reset();  // closing one frees its place
  auto next = served();
  EXPECT_TRUE(health(*next));
}

}  // namespace
}  // namespace gaia::testing
