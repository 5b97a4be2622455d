// The admin WebSocket through a real Server, real keys in a SQLite directory, and Beast
// WebSocket clients. Intervals are shortened; nothing here asserts a duration.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <thread>

#include "api/admin/session_api.h"
#include "api/ws_routes.h"
#include "http/server.h"
#include "http/ws_hub.h"
#include "identity/session_store.h"
#include "metrics/check_stats.h"
#include "support/directory_on_sqlite.h"
#include "support/eventually.h"
#include "support/raw_http_client.h"
#include "support/real_clock.h"
#include "support/temp_dir.h"
#include "support/ws_client.h"

namespace gaia::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;
using testing::WsClient;

class WsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::open_directory_on_sqlite(dir_, clock_, store_, directory_);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(directory_->create_user("admin", core::Tier::kDefault, 0).ok());
    ASSERT_TRUE(directory_->create_user("bob", core::Tier::kDefault, 0).ok());
    admin_key_ = directory_->create_key("admin", store::Role::kAdmin, "", 0).value().key;
    user_key_ = directory_->create_key("bob", store::Role::kUser, "", 0).value().key;
    sessions_ =
        std::make_unique<identity::SessionStore>(clock_, *directory_, identity::SessionOptions{});
  }

  void TearDown() override {
    // The hub stops first: after that it sends nothing to a server being destroyed.
    if (hub_) hub_->stop();
    if (server_) server_->stop();
  }

  void start(http::WsHubOptions o) {
    hub_ = std::make_unique<http::WsHub>(
        clock_,
        [this] {
          return boost::json::object{{"n", ++stats_calls_}};
        },
        api::admin_key_check(*directory_), api::admin_credential_check(*directory_), o);
    http::Router router;
    api::add_ws_routes(router, *hub_, *directory_);
    api::admin::add_session_routes(router, *directory_, *sessions_);
    http::ServerOptions so;
    so.port = 0;
    so.io_threads = 2;
    so.drain_timeout = 2s;
    so.clock = &clock_;
    server_ = std::make_unique<http::Server>(so, std::move(router));
    ASSERT_TRUE(server_->start().ok());
    hub_->start();
  }

  static http::WsHubOptions quiet() {  // no stats or pings unless a test asks for them
    http::WsHubOptions o;
    o.stats_interval = 1h;
    o.ping_interval = 1h;
    o.silent_timeout = 2h;
    return o;
  }

  std::pair<std::string, std::string> bearer(const std::string& key) {
    return {"Authorization", "Bearer " + key};
  }

  // Connects with `headers` and reads the hello; returns how the server says we signed in.
  std::string hello(WsClient& c, std::vector<std::pair<std::string, std::string>> headers) {
    if (!c.connect(server_->port(), std::move(headers))) return "handshake failed";
    auto m = c.read();
    if (!m || m->at("type") != "hello") return "no hello";
    return std::string(m->at("data").at("auth").as_string());
  }

  // Waits (bounded) until the hub counts `n` clients.
  bool wait_for_clients(uint64_t n) {
    return testing::eventually([&] { return hub_->health().clients == n; }, 5s, 10ms);
  }

  std::string sign_in() {
    auto r = testing::http_request(server_->port(), "POST", "/api/admin/session", "",
                                   "{\"key\":\"" + admin_key_ + "\"}");
    if (!r || r->status != 204) return "";
    const std::string& cookie = r->headers["set-cookie"];
    return cookie.substr(0, cookie.find(';'));  // "gaia_session=..."
  }

  const core::Clock& clock_ = testing::real_clock();
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Directory> directory_;
  std::unique_ptr<identity::SessionStore> sessions_;
  std::unique_ptr<http::WsHub> hub_;
  std::unique_ptr<http::Server> server_;
  std::string admin_key_;
  std::string user_key_;
  std::atomic<int> stats_calls_ = 0;
};

TEST_F(WsTest, AdminKeyInHeaderAuthenticatesAndStatsArrive) {
  http::WsHubOptions o = quiet();
  o.stats_interval = 20ms;
  start(o);
  WsClient c;
  EXPECT_EQ(hello(c, {bearer(admin_key_)}), "header");
  auto m = c.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("type"), "stats");
  EXPECT_GE(m->at("data").at("n").as_int64(), 1);
  EXPECT_GT(m->at("ts").as_int64(), 1'700'000'000'000);  // ms since the epoch
}

TEST_F(WsTest, SessionCookieAuthenticates) {
  start(quiet());
  std::string cookie = sign_in();
  ASSERT_FALSE(cookie.empty());
  WsClient c;
  EXPECT_EQ(hello(c, {{"Cookie", cookie}}), "cookie");
  // The admin API takes the cookie too.
  testing::RawHttpConnection api(server_->port());
  ASSERT_TRUE(api.send("GET /api/ws/health HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + "\r\n\r\n"));
  auto r = api.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(WsTest, SignInSetsHardenedCookie) {
  start(quiet());
  auto r = testing::http_request(server_->port(), "POST", "/api/admin/session", "",
                                 "{\"key\":\"" + admin_key_ + "\"}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  const std::string& c = r->headers["set-cookie"];
  EXPECT_TRUE(c.starts_with("gaia_session="));
  EXPECT_EQ(c.find(';'), std::string("gaia_session=").size() + 43);  // 32 bytes, base64url
  EXPECT_NE(c.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(c.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(c.find("; Path=/"), std::string::npos);
  EXPECT_EQ(sessions_->size(), 1u);
}

TEST_F(WsTest, SignInRefusesUserKeyAndUnknownKey) {
  start(quiet());
  auto user = testing::http_request(server_->port(), "POST", "/api/admin/session", "",
                                    "{\"key\":\"" + user_key_ + "\"}");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->status, 403);
  auto unknown = testing::http_request(server_->port(), "POST", "/api/admin/session", "",
                                       "{\"key\":\"gaia_nope\"}");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(sessions_->size(), 0u);
}

TEST_F(WsTest, SignedOutCookieIsRefusedBeforeUpgrade) {
  start(quiet());
  std::string cookie = sign_in();
  testing::RawHttpConnection out(server_->port());
  ASSERT_TRUE(out.send("DELETE /api/admin/session HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
                       "\r\nX-Gaia-Request: 1\r\nContent-Length: 0\r\n\r\n"));
  auto r = out.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_NE(r->headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  WsClient c;
  EXPECT_FALSE(c.connect(server_->port(), {{"Cookie", cookie}}));
  EXPECT_EQ(c.response.result_int(), 401u);
}

TEST_F(WsTest, CookieFromAnotherOriginIsRefused) {
  start(quiet());
  std::string cookie = sign_in();
  WsClient c;
  EXPECT_FALSE(c.connect(server_->port(), {{"Cookie", cookie}, {"Origin", "https://evil.test"}}));
  EXPECT_EQ(c.response.result_int(), 403u);
}

TEST_F(WsTest, FirstMessageAuthenticates) {
  start(quiet());
  WsClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  ASSERT_TRUE(c.write("{\"type\":\"auth\",\"key\":\"" + admin_key_ + "\"}"));
  auto m = c.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("type"), "hello");
  EXPECT_EQ(m->at("data").at("auth"), "message");
}

TEST_F(WsTest, WrongFirstMessageClosesWithPolicyViolation) {
  start(quiet());
  WsClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  ASSERT_TRUE(c.write("{\"type\":\"auth\",\"key\":\"" + user_key_ + "\"}"));
  EXPECT_FALSE(c.read());
  EXPECT_EQ(c.error, websocket::error::closed);
  EXPECT_EQ(c.reason().code, websocket::close_code::policy_error);
}

TEST_F(WsTest, AnAuthMessageNamingTheKeyTwiceClosesWithPolicyViolation) {
  start(quiet());
  // Either key alone authenticates; which one a reader takes of the two is not to be guessed.
  for (const std::string& last : {admin_key_, user_key_}) {
    WsClient c;
    ASSERT_TRUE(c.connect(server_->port()));
    const std::string& first = last == admin_key_ ? user_key_ : admin_key_;
    ASSERT_TRUE(c.write("{\"type\":\"auth\",\"key\":\"" + first + "\",\"key\":\"" + last + "\"}"));
    EXPECT_FALSE(c.read());
    EXPECT_EQ(c.reason().code, websocket::close_code::policy_error);
  }
}

TEST_F(WsTest, NoAuthenticationWithinTimeoutClosesWithPolicyViolation) {
  http::WsHubOptions o = quiet();
  o.auth_timeout = 50ms;
  start(o);
  WsClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  EXPECT_FALSE(c.read());
  EXPECT_EQ(c.error, websocket::error::closed);
  EXPECT_EQ(c.reason().code, websocket::close_code::policy_error);
}

TEST_F(WsTest, BadKeysAndKeysInUrlAreRefusedBeforeUpgrade) {
  start(quiet());
  WsClient unknown;
  EXPECT_FALSE(unknown.connect(server_->port(), {bearer("gaia_unknown")}));
  EXPECT_EQ(unknown.response.result_int(), 401u);
  WsClient user;
  EXPECT_FALSE(user.connect(server_->port(), {bearer(user_key_)}));
  EXPECT_EQ(user.response.result_int(), 403u);
  WsClient in_url;
  EXPECT_FALSE(in_url.connect(server_->port(), {}, "/ws/admin/quotas?key=" + admin_key_));
  EXPECT_EQ(in_url.response.result_int(), 400u);
  // Names are read decoded, as every handler reads them: an escape does not hide one.
  for (const char* query : {"?ap%69_key=", "?%54OKEN=", "?x=1&access%5Ftoken="}) {
    WsClient escaped;
    EXPECT_FALSE(
        escaped.connect(server_->port(), {}, std::string("/ws/admin/quotas") + query + admin_key_));
    EXPECT_EQ(escaped.response.result_int(), 400u) << query;
  }
  EXPECT_EQ(hub_->health().clients, 0u);
}

TEST_F(WsTest, ServerPingsClients) {
  http::WsHubOptions o = quiet();
  o.ping_interval = 20ms;
  start(o);
  WsClient c;
  ASSERT_EQ(hello(c, {bearer(admin_key_)}), "header");
  EXPECT_TRUE(c.wait_for_pings(2));
}

TEST_F(WsTest, SilentPeerIsClosed) {
  http::WsHubOptions o = quiet();
  o.ping_interval = 20ms;
  o.silent_timeout = 100ms;
  o.events_per_second = 1'000'000;  // the alive client reads one event per turn below
  start(o);
  WsClient silent;  // reads nothing after the hello, so it never answers a ping
  ASSERT_EQ(hello(silent, {bearer(admin_key_)}), "header");
  WsClient alive;
  ASSERT_EQ(hello(alive, {bearer(admin_key_)}), "header");
  // `alive` reads (and so answers pings) while the silent one is timed out.
  bool alive_read = true;
  const bool closed = testing::eventually(
      [&] {
        hub_->publish("tick", {});
        alive_read = alive_read && alive.read();
        http::WsHealth h = hub_->health();
        return !alive_read || (h.closed_silent == 1 && h.clients == 1);
      },
      10s, 5ms);
  ASSERT_TRUE(alive_read);
  EXPECT_TRUE(closed);
  EXPECT_GE(alive.pings, 1);
  EXPECT_EQ(hub_->health().closed_silent, 1u);  // only the silent one
  while (silent.read()) {
  }  // what reached it before the close, then the end
}

TEST_F(WsTest, SlowConsumerIsClosedWhileFastOneKeepsReceiving) {
  http::WsHubOptions o = quiet();
  o.max_queued_messages = 8;
  o.max_queued_bytes = 64 << 20;
  // A client that reads nothing at all: past the bounds of the sources (rate, size).
  o.events_per_second = 1'000'000;
  o.max_event_text_bytes = 1 << 20;
  start(o);
  WsClient slow;
  ASSERT_EQ(hello(slow, {bearer(admin_key_)}), "header");
  WsClient fast;
  ASSERT_EQ(hello(fast, {bearer(admin_key_)}), "header");
  const std::string payload(64 * 1024, 'p');
  int received = 0;
  // Lockstep with the fast client; the slow one reads nothing, so once the socket buffers
  // between it and the server are full its queue grows until it is closed.
  for (int i = 0; i < 5000 && hub_->health().closed_slow == 0; ++i) {
    hub_->publish("violation", boost::json::object{{"i", i}, {"pad", payload}});
    auto m = fast.read();
    ASSERT_TRUE(m);
    ASSERT_EQ(m->at("data").at("i").as_int64(), i);
    ++received;
  }
  EXPECT_EQ(hub_->health().closed_slow, 1u);
  EXPECT_TRUE(wait_for_clients(1));
  hub_->publish("alert", boost::json::object{{"after", true}});
  auto after = fast.read();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->at("type"), "alert");
  // The slow client gets what reached its socket, then the end.
  int slow_got = 0;
  while (slow.read()) ++slow_got;
  EXPECT_LT(slow_got, received);
}

TEST_F(WsTest, PublishReachesEveryClient) {
  start(quiet());
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<WsClient>());
    ASSERT_EQ(hello(*clients.back(), {bearer(admin_key_)}), "header");
  }
  hub_->publish("config_changed", boost::json::object{{"by", "admin"}});
  for (auto& c : clients) {
    auto m = c->read();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->at("type"), "config_changed");
    EXPECT_EQ(m->at("data").at("by"), "admin");
  }
  // A write is counted when its completion runs, which may be just after the client has it.
  testing::eventually([&] { return hub_->health().messages_sent >= 6; }, 5s, 10ms);
  auto h = testing::http_request(server_->port(), "GET", "/api/ws/health", admin_key_);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->status, 200);
  auto body = boost::json::parse(h->body);
  EXPECT_EQ(body.at("clients").to_number<uint64_t>(), 3u);
  EXPECT_EQ(body.at("messages_sent").to_number<uint64_t>(), 6u);  // 3 hellos, 3 publications
  auto user = testing::http_request(server_->port(), "GET", "/api/ws/health", user_key_);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->status, 403);
}

TEST_F(WsTest, EventsOverTheirKindsRateAreFoldedIntoACountAndLongTextIsCapped) {
  http::WsHubOptions o = quiet();
  o.events_per_second = 3;
  o.stats_interval = 50ms;  // a flood that stopped is summed up with the stats
  start(o);
  WsClient c;
  ASSERT_EQ(hello(c, {bearer(admin_key_)}), "header");
  const std::string command(64 * 1024, 'c');
  for (int i = 0; i < 25; ++i) {
    hub_->publish("violation", boost::json::object{{"command", command}, {"i", i}});
  }
  hub_->publish("alert", boost::json::object{{"kind", "its own rate"}});
  uint64_t violations = 0, folded = 0, alerts = 0;
  for (int i = 0; i < 100 && violations + folded < 25; ++i) {
    auto m = c.read();
    ASSERT_TRUE(m);
    const auto& type = m->at("type").as_string();
    if (type == "violation") {
      ++violations;
      EXPECT_LE(m->at("data").at("command").as_string().size(), core::kMaxStoredTextBytes);
    } else if (type == "folded") {
      folded += m->at("data").at("counts").at("violation").to_number<uint64_t>();
    } else if (type == "alert") {
      ++alerts;
    }
  }
  EXPECT_EQ(violations + folded, 25u);
  EXPECT_LE(violations, 6u);  // 3 a second: at most two seconds' worth, were one to pass
  EXPECT_EQ(hub_->health().folded, folded);
  EXPECT_EQ(hub_->health().closed_slow, 0u);
}

TEST_F(WsTest, AnEventFoldedIntoTheCountIsNeverBuilt) {
  http::WsHubOptions o = quiet();
  o.events_per_second = 3;
  o.stats_interval = 50ms;
  start(o);
  WsClient c;
  ASSERT_EQ(hello(c, {bearer(admin_key_)}), "header");
  int built = 0;
  for (int i = 0; i < 25; ++i) {
    hub_->publish_built("violation", [&built, i] {
      ++built;
      return boost::json::object{{"i", i}};
    });
  }
  uint64_t violations = 0, folded = 0;
  for (int i = 0; i < 100 && violations + folded < 25; ++i) {
    auto m = c.read();
    ASSERT_TRUE(m);
    if (m->at("type") == "violation") ++violations;
    if (m->at("type") == "folded") {
      folded += m->at("data").at("counts").at("violation").to_number<uint64_t>();
    }
  }
  EXPECT_EQ(violations + folded, 25u);
  EXPECT_EQ(static_cast<uint64_t>(built), violations);  // only what was sent was formatted
  EXPECT_LE(built, 6);
}

TEST_F(WsTest, StopClosesClientsAsGoingAway) {
  start(quiet());
  WsClient c;
  ASSERT_EQ(hello(c, {bearer(admin_key_)}), "header");
  hub_->stop();
  EXPECT_FALSE(c.read());
  EXPECT_EQ(c.error, websocket::error::closed);
  EXPECT_EQ(c.reason().code, websocket::close_code::going_away);
}

TEST_F(WsTest, ServerStopClosesClients) {
  start(quiet());
  WsClient c;
  ASSERT_EQ(hello(c, {bearer(admin_key_)}), "header");
  server_->stop();
  EXPECT_FALSE(c.read());
  EXPECT_EQ(c.reason().code, websocket::close_code::going_away);
}

TEST_F(WsTest, CookieRequestThatChangesStateNeedsCsrfHeader) {
  start(quiet());
  std::string cookie = sign_in();
  testing::RawHttpConnection c(server_->port());
  ASSERT_TRUE(c.send("DELETE /api/admin/session HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
                     "\r\nContent-Length: 0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(sessions_->size(), 1u);
}

TEST(WsStatsTest, CheckStatsSumTheCheckCountersByDecisionAndType) {
  metrics::MetricsRegistry registry;
  metrics::CounterFamily& checks =
      registry.add_counter("gaia_checks_total", "Checks.", {"type", "decision", "limit"});
  checks.with({"shell", "admitted", "shell-day"}).inc(5);
  checks.with({"shell", "refused", "shell-day"}).inc(2);
  checks.with({"shell", "refused", "shell-rate-60s"}).inc(1);
  checks.with({"code", "admitted", "code-day"}).inc(3);
  registry.add_counter("gaia_other_total", "Not a check.").with({}).inc(100);
  boost::json::object s = metrics::check_stats(registry);
  EXPECT_EQ(s.at("admissions").as_uint64(), 8u);
  EXPECT_EQ(s.at("refusals").as_uint64(), 3u);
  EXPECT_EQ(s.at("by_type").at("shell").at("refused").as_uint64(), 3u);
  EXPECT_EQ(s.at("by_type").at("code").at("admitted").as_uint64(), 3u);
}

}  // namespace
}  // namespace gaia::api
