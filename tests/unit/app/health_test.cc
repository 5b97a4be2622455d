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

http::Response get(const http::Router& router, const std::string& path) {
  http::Request req;
  req.method = "GET";
  req.path = path;
  return router.route(req);
}

TEST(HealthTest, LivenessSaysOnlyStatusVersionAndUptime) {
  FixedClock clock;
  http::Router router;
  add_health_routes(router, clock, {clock.mono, "sqlite", "./var/gaia.db", nullptr, {}, {}, {}, {}},
                    nullptr);
  clock.mono += 90s + 500ms;

  http::Response res = get(router, "/health");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(
      boost::json::parse(res.body),
      (boost::json::object{{"status", "ok"}, {"version", core::kVersion}, {"uptime_seconds", 90}}));
}

TEST(HealthTest, DetailsReportStatusVersionUptimeStoreAndReadiness) {
  FixedClock clock;
  HealthInfo info{clock.mono, "sqlite", "./var/gaia.db", nullptr, {}, {}, {}, {}};
  clock.mono += 90s + 500ms;
  EXPECT_EQ(health_details(info, clock),
            (boost::json::object{{"status", "ok"},
                                 {"version", core::kVersion},
                                 {"uptime_seconds", 90},
                                 {"store", {{"kind", "sqlite"}, {"path", "./var/gaia.db"}}},
                                 {"ready", true},
                                 {"not_ready", boost::json::array{}}}));
}

TEST(HealthTest, ReadyAnswers503NamingWhyWhileTheExecutorHasNoSeatOrTheServerDrains) {
  FixedClock clock;
  http::Router router;
  int seats = 2;
  bool draining = false;
  HealthInfo info{clock.mono, "sqlite", "./var/gaia.db", nullptr, {}, {}, {}, {}};
  info.executor = [&seats] { return boost::json::object{{"seats", seats}}; };
  info.draining = [&draining] { return draining; };
  add_health_routes(router, clock, std::move(info), nullptr);
  EXPECT_EQ(get(router, "/ready").status, 200u);

  seats = 0;
  http::Response res = get(router, "/ready");
  EXPECT_EQ(res.status, 503u);
  EXPECT_EQ(boost::json::parse(res.body),
            (boost::json::object{{"ready", false}, {"reasons", {"executor"}}}));
  draining = true;
  res = get(router, "/ready");
  EXPECT_EQ(boost::json::parse(res.body).at("reasons"),
            (boost::json::array{"executor", "draining"}));
  ASSERT_FALSE(res.headers.empty());
  EXPECT_EQ(res.headers[0].name, "Retry-After");
  // Liveness does not change: the process answers.
  EXPECT_EQ(get(router, "/health").status, 200u);
}

TEST(HealthTest, ShowsTheAlertsSectionWhenGiven) {
  FixedClock clock;
  boost::json::value body =
      health_details({clock.mono,
                      "sqlite",
                      "./var/gaia.db",
                      nullptr,
                      {},
                      [] {
                        return boost::json::object{{"firing", 2}, {"webhook", nullptr}};
                      },
                      {},
                      {}},
                     clock);
  EXPECT_EQ(body.at("alerts"), (boost::json::object{{"firing", 2}, {"webhook", nullptr}}));
}

TEST(HealthTest, ShowsTheRateLimitServiceSectionWhenGiven) {
  FixedClock clock;
  boost::json::value body =
      health_details({clock.mono,
                      "sqlite",
                      "./var/gaia.db",
                      nullptr,
                      {},
                      {},
                      [] {
                        return boost::json::object{{"listening", true}, {"port", 8081}};
                      },
                      {}},
                     clock);
  EXPECT_EQ(body.at("rls"), (boost::json::object{{"listening", true}, {"port", 8081}}));
}

TEST(HealthTest, ANodeWhoseChangeFeedIsDisconnectedIsDegraded) {
  FixedClock clock;
  bool connected = true;
  HealthInfo info{clock.mono, "postgres", "postgres://db", nullptr, {}, {}, {}, {}};
  info.cluster = [&connected] {
    return boost::json::object{{"clustered", true},
                               {"feed", {{"connected", connected}, {"last_error", "gone"}}}};
  };
  EXPECT_EQ(health_details(info, clock).at("status"), "ok");
  connected = false;
  boost::json::value body = health_details(info, clock);
  EXPECT_EQ(body.at("status"), "degraded");
  EXPECT_EQ(body.at("cluster").at("feed").at("last_error"), "gone");
}

}  // namespace
}  // namespace gaia::app
