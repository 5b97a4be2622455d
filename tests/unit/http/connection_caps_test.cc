// The caps on open connections through the real http::Server: past the cap on one client's
// connections, or on all, a connection is closed at once and counted; the connections already
// open go on being served, and closing one frees its place.

#include "http/detail/connection_caps.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "http/server.h"
#include "http/ws_upgrade.h"
#include "support/eventually.h"
#include "support/raw_http_client.h"
#include "support/real_clock.h"

namespace gaia::http {
namespace {

using gaia::testing::get_request;
using gaia::testing::RawHttpConnection;
using namespace std::chrono_literals;

// Counts what the server tells of its connections.
class CountingObserver : public ConnectionObserver {
 public:
  void opened() override {
    std::lock_guard lock(mu_);
    ++open_;
  }
  void closed() override {
    std::lock_guard lock(mu_);
    --open_;
  }
  void refused(std::string_view reason) override {
    std::lock_guard lock(mu_);
    ++refused_[std::string(reason)];
  }
  int open() {
    std::lock_guard lock(mu_);
    return open_;
  }
  int refusals(const std::string& reason) {
    std::lock_guard lock(mu_);
    return refused_[reason];
  }

 private:
  std::mutex mu_;
  int open_ = 0;
  std::map<std::string, int> refused_;
};

class ConnectionCapsTest : public ::testing::Test {
 protected:
  void start(std::size_t total, std::size_t per_ip) {
    Router router;
    router.add("GET", "/ping", [](const Request&) { return json_response(200, nullptr); });
    // Takes the connection over and keeps it, as a WebSocket session would.
    router.add_upgrade("GET", "/take",
                       [this](const Request&) -> std::variant<Response, UpgradeTaker> {
                         return UpgradeTaker([this](std::unique_ptr<Upgrade> up) {
                           std::lock_guard lock(mu_);
                           taken_.push_back(std::move(up));
                         });
                       });
    ServerOptions o;
    o.port = 0;
    o.io_threads = 2;
    o.max_connections = total;
    o.max_connections_per_ip = per_ip;
    o.observer = &observer_;
    o.clock = &testing::real_clock();
    server_ = std::make_unique<Server>(o, std::move(router));
    ASSERT_TRUE(server_->start().ok());
  }
  // A connection the server has accepted and served once.
  std::unique_ptr<RawHttpConnection> served() {
    auto c = std::make_unique<RawHttpConnection>(server_->port());
    EXPECT_TRUE(pings(*c));
    return c;
  }
  static bool pings(RawHttpConnection& c) {
    if (!c.send(get_request("/ping"))) return false;
    auto r = c.read_response();
    return r && r->status == 200;
  }

  size_t taken() {
    std::lock_guard lock(mu_);
    return taken_.size();
  }
  void drop_taken() {
    std::lock_guard lock(mu_);
    taken_.clear();
  }

  CountingObserver observer_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Upgrade>> taken_;
  std::unique_ptr<Server> server_;  // after the above: stops before they go
};

TEST_F(ConnectionCapsTest, OneConnectionPastThePerClientCapIsClosedAtOnce) {
  start(100, 2);
  auto a = served();
  auto b = served();
  EXPECT_EQ(observer_.open(), 2);

  RawHttpConnection third(server_->port());
  ASSERT_TRUE(third.connected());  // the kernel accepts; the server closes it unread
  EXPECT_TRUE(third.wait_for_close());
  EXPECT_EQ(observer_.refusals("per_ip"), 1);
  EXPECT_EQ(observer_.refusals("total"), 0);

  EXPECT_TRUE(pings(*a)) << "the connections already open keep working";
  EXPECT_TRUE(pings(*b));

  a.reset();  // closing one frees its place, once the server has seen it close
  EXPECT_TRUE(gaia::testing::eventually(
      [&] {
        RawHttpConnection next(server_->port());
        return pings(next);
      },
      5s, 20ms));
}

TEST_F(ConnectionCapsTest, OneConnectionPastTheCapOnAllIsClosedAtOnce) {
  start(1, 100);
  auto a = served();
  RawHttpConnection second(server_->port());
  EXPECT_TRUE(second.wait_for_close());
  EXPECT_EQ(observer_.refusals("total"), 1);
  EXPECT_TRUE(pings(*a));
}

TEST_F(ConnectionCapsTest, ClosedConnectionsAreNoLongerCounted) {
  start(100, 100);
  {
    auto a = served();
    auto b = served();
    EXPECT_EQ(observer_.open(), 2);
  }
  EXPECT_TRUE(gaia::testing::eventually([&] { return observer_.open() == 0; }, 5s, 10ms));
}

TEST_F(ConnectionCapsTest, AConnectionTakenOverByAnUpgradeRouteStillCounts) {
  start(100, 1);
  RawHttpConnection upgraded(server_->port());
  ASSERT_TRUE(upgraded.send(get_request("/take")));
  ASSERT_TRUE(gaia::testing::eventually([&] { return taken() == 1; }, 5s, 5ms));

  RawHttpConnection next(server_->port());
  EXPECT_TRUE(next.wait_for_close()) << "the taken-over connection holds the client's place";
  EXPECT_EQ(observer_.refusals("per_ip"), 1);

  drop_taken();  // its new owner lets it go: the place is free again
  EXPECT_TRUE(gaia::testing::eventually(
      [&] {
        RawHttpConnection again(server_->port());
        return pings(again);
      },
      5s, 20ms));
}

TEST(AddressKeyTest, AnIpv6ClientIsCountedByItsSlash64) {
  using boost::asio::ip::make_address;
  EXPECT_EQ(detail::address_key(make_address("2001:db8:1:2::1")),
            detail::address_key(make_address("2001:db8:1:2:ffff:ffff:ffff:ffff")));
  EXPECT_NE(detail::address_key(make_address("2001:db8:1:2::1")),
            detail::address_key(make_address("2001:db8:1:3::1")));
}

TEST(AddressKeyTest, AnIpv4ClientIsCountedByItsAddressHoweverItArrives) {
  using boost::asio::ip::make_address;
  EXPECT_EQ(detail::address_key(make_address("192.0.2.7")),
            detail::address_key(make_address("::ffff:192.0.2.7")));
  EXPECT_NE(detail::address_key(make_address("192.0.2.7")),
            detail::address_key(make_address("192.0.2.8")));
}

}  // namespace
}  // namespace gaia::http
