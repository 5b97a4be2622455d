#include "app/health.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/version.h"

namespace gaia::app {
namespace {

using namespace std::chrono_literals;

// A clock the test sets by hand.
class FixedClock final : public core::Clock {
 public:
  core::MonoTime mono_now() const override { return mono; }
  core::WallTime wall_now() const override { return core::WallTime{}; }
  core::MonoTime mono{};
};

TEST(HealthTest, ReportsStatusVersionUptimeAndStore) {
  FixedClock clock;
  http::Router router;
  add_health_route(router, clock, {clock.mono, "sqlite", "./var/gaia.db", nullptr, {}, {}, {}, {}});
  clock.mono += 90s + 500ms;

  http::Request req;
  req.method = "GET";
  req.path = "/health";
  http::Response res = router.route(req);
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(boost::json::parse(res.body),
            (boost::json::object{{"status", "ok"},
                                 {"version", core::kVersion},
                                 {"uptime_seconds", 90},
                                 {"store", {{"kind", "sqlite"}, {"path", "./var/gaia.db"}}}}));
}

TEST(HealthTest, ShowsTheAlertsSectionWhenGiven) {
  FixedClock clock;
  http::Router router;
  add_health_route(router, clock,
                   {clock.mono,
                    "sqlite",
                    "./var/gaia.db",
                    nullptr,
                    {},
                    [] {
                      return boost::json::object{{"firing", 2}, {"webhook", nullptr}};
                    },
                    {},
                    {}});
  http::Request req;
  req.method = "GET";
  req.path = "/health";
  boost::json::value body = boost::json::parse(router.route(req).body);
  EXPECT_EQ(body.at("alerts"), (boost::json::object{{"firing", 2}, {"webhook", nullptr}}));
}

TEST(HealthTest, ShowsTheRateLimitServiceSectionWhenGiven) {
  FixedClock clock;
  http::Router router;
  add_health_route(router, clock,
                   {clock.mono,
                    "sqlite",
                    "./var/gaia.db",
                    nullptr,
                    {},
                    {},
                    [] {
                      return boost::json::object{{"listening", true}, {"port", 8081}};
                    },
                    {}});
  http::Request req;
  req.method = "GET";
  req.path = "/health";
  boost::json::value body = boost::json::parse(router.route(req).body);
  EXPECT_EQ(body.at("rls"), (boost::json::object{{"listening", true}, {"port", 8081}}));
}

TEST(HealthTest, ANodeWhoseChangeFeedIsDisconnectedIsDegraded) {
  FixedClock clock;
  http::Router router;
  bool connected = true;
  HealthInfo info{clock.mono, "postgres", "postgres://db", nullptr, {}, {}, {}, {}};
  info.cluster = [&connected] {
    return boost::json::object{{"clustered", true},
                               {"feed", {{"connected", connected}, {"last_error", "gone"}}}};
  };
  add_health_route(router, clock, std::move(info));
  http::Request req;
  req.method = "GET";
  req.path = "/health";
  EXPECT_EQ(boost::json::parse(router.route(req).body).at("status"), "ok");
  connected = false;
  boost::json::value body = boost::json::parse(router.route(req).body);
  EXPECT_EQ(body.at("status"), "degraded");
  EXPECT_EQ(body.at("cluster").at("feed").at("last_error"), "gone");
}

}  // namespace
}  // namespace gaia::app
