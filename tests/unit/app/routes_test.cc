// The route table of gaia_server, built on real parts (SQLite in a temporary directory).

#include "app/routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/openapi_route.h"
#include "app/stores.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::app {
namespace {

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = dir_.path().string();
    config_.sqlite_path = dir_.file("gaia.db");
    store_ = open_store(config_, clock_, log_, log_);
    ASSERT_NE(store_, nullptr) << log_.str();
    services_ = Services::make(config_, clock_, *store_, log_, log_);
    ASSERT_NE(services_, nullptr) << log_.str();
    exec_ = std::make_unique<ExecStack>(config_, clock_, *services_->limiter, *services_->feed,
                                        services_->confirm_hook.get());
    live_ = LiveSide::make(config_, clock_, *store_, *services_, *exec_, log_, log_);
    ASSERT_NE(live_, nullptr) << log_.str();
    cluster_ = ClusterSide::make(config_, clock_, *store_, *services_, *exec_, *live_, log_);
    ASSERT_NE(cluster_, nullptr) << log_.str();
    state_ = std::make_unique<RouteState>(config_, clock_, *services_->directory);
  }

  http::Router routes() {
    return make_routes(config_, clock_, *store_, *services_, *exec_, *live_, *cluster_, *state_,
                       nullptr);
  }

  static unsigned status_of(const http::Router& router, std::string method, std::string path) {
    http::Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    return router.route(std::move(req)).status;
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  Config config_ = default_config();
  std::ostringstream log_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<ExecStack> exec_;
  std::unique_ptr<LiveSide> live_;
  std::unique_ptr<ClusterSide> cluster_;
  std::unique_ptr<RouteState> state_;
};

TEST_F(RoutesTest, RegistersEveryRouteOnce) {
  // http::Router throws on a second registration of a method and path.
  EXPECT_NO_THROW(routes());
}

TEST_F(RoutesTest, AnswersEveryMethodAndPathOfTheApi) {
  const http::Router router = routes();
  // Without a key most answer 401, a stream or upgrade route without a connection 500; a
  // route that is missing answers 404, a method missing on a known path 405.
  const std::vector<std::pair<std::string, std::string>> api = {
      {"GET", "/health"},
      {"GET", "/ready"},
      {"GET", "/api/admin/health"},
      {"GET", "/metrics"},
      {"POST", "/api/v1/check"},
      {"POST", "/api/v1/executions"},
      {"GET", "/api/v1/quota"},
      {"POST", "/api/v1/exec"},
      {"POST", "/api/claude/confirm/request"},
      {"GET", "/api/claude/confirm/patterns"},
      {"POST", "/api/claude/confirm/patterns"},
      {"PUT", "/api/claude/confirm/patterns/7"},
      {"DELETE", "/api/claude/confirm/patterns/7"},
      {"GET", "/api/claude/confirm/decisions"},
      {"POST", "/api/admin/users"},
      {"GET", "/api/admin/users"},
      {"GET", "/api/admin/users/alice"},
      {"PUT", "/api/admin/users/alice"},
      {"PUT", "/api/admin/users/alice/overrides"},
      {"POST", "/api/admin/users/alice/reset"},
      {"POST", "/api/admin/users/alice/reputation/reset"},
      {"POST", "/api/admin/users/alice/keys"},
      {"DELETE", "/api/admin/keys/7"},
      {"GET", "/api/admin/quotas/config"},
      {"POST", "/api/admin/quotas/config"},
      {"PUT", "/api/admin/quotas/config/7"},
      {"DELETE", "/api/admin/quotas/config/7"},
      {"GET", "/api/admin/quotas/usage"},
      {"GET", "/api/admin/quotas/violations"},
      {"GET", "/api/admin/quotas/analytics"},
      {"GET", "/api/admin/analytics/trend"},
      {"GET", "/api/admin/analytics/spikes"},
      {"GET", "/api/admin/analytics/violators"},
      {"GET", "/api/admin/analytics/forecast"},
      {"GET", "/api/admin/analytics/top"},
      {"POST", "/api/admin/analytics/rebuild"},
      {"GET", "/api/admin/approvals"},
      {"POST", "/api/admin/approvals/7"},
      {"GET", "/api/admin/cluster"},
      {"GET", "/api/admin/alerts"},
      {"POST", "/api/admin/alerts/7/ack"},
      {"POST", "/api/admin/alerts/7/silence"},
      {"GET", "/api/admin/alerts/rules"},
      {"POST", "/api/admin/alerts/rules"},
      {"PUT", "/api/admin/alerts/rules/7"},
      {"DELETE", "/api/admin/alerts/rules/7"},
      {"POST", "/api/admin/session"},
      {"DELETE", "/api/admin/session"},
      {"GET", "/ws/admin/quotas"},
      {"GET", "/api/ws/health"},
  };
  ASSERT_EQ(status_of(router, "GET", "/api/v1/no-such-route"), 404u);
  ASSERT_EQ(status_of(router, "DELETE", "/health"), 405u);
  for (const auto& [method, path] : api) {
    const unsigned status = status_of(router, method, path);
    EXPECT_NE(status, 404u) << method << " " << path;
    EXPECT_NE(status, 405u) << method << " " << path;
  }
}

// "METHOD /path" of every operation under `paths:` in docs/openapi.yaml: paths are the keys
// indented by two spaces, their methods the keys indented by four.
std::set<std::string> documented_operations(std::string_view yaml) {
  std::set<std::string> out;
  std::istringstream lines{std::string(yaml)};
  std::string line, path;
  bool in_paths = false;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = line == "paths:";
    if (!in_paths || line.empty() || line.back() != ':') continue;
    if (line.starts_with("  /")) path = line.substr(2, line.size() - 3);
    if (line.starts_with("    ") && line[4] != ' ') {
      std::string method = line.substr(4, line.size() - 5);
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      out.insert(method + " " + path);
    }
  }
  return out;
}

TEST_F(RoutesTest, TheOpenApiDescriptionListsEveryRouteAndNothingElse) {
  const http::Router router = routes();
  std::set<std::string> registered;
  for (const http::RouteEntry& r : router.routes()) {
    // The dashboard's files are one documented path: /admin/quotas/{asset}.
    const bool asset = r.path.starts_with("/admin/quotas/");
    registered.insert(r.method + " " + (asset ? "/admin/quotas/{asset}" : r.path));
  }
  const std::set<std::string> documented = documented_operations(api::kOpenApiYaml);
  ASSERT_FALSE(documented.empty());
  std::vector<std::string> undocumented, unknown;
  std::set_difference(registered.begin(), registered.end(), documented.begin(), documented.end(),
                      std::back_inserter(undocumented));
  std::set_difference(documented.begin(), documented.end(), registered.begin(), registered.end(),
                      std::back_inserter(unknown));
  EXPECT_THAT(undocumented, ::testing::IsEmpty()) << "routes missing from docs/openapi.yaml";
  EXPECT_THAT(unknown, ::testing::IsEmpty()) << "docs/openapi.yaml operations no route serves";
}

TEST_F(RoutesTest, ServesItsOpenApiDescription) {
  const http::Router router = routes();
  http::Request req;
  req.method = "GET";
  req.path = "/api/openapi.yaml";
  const http::Response res = router.route(std::move(req));
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.content_type, "application/yaml");
  EXPECT_TRUE(res.body.find("openapi: 3.1.0") != std::string::npos);
}

TEST_F(RoutesTest, ServesTheEmbeddedDashboard) {
  const http::Router router = routes();
  for (const std::string& path : state_->dashboard.paths()) {
    EXPECT_EQ(status_of(router, "GET", path), 200u) << path;
  }
  EXPECT_EQ(status_of(router, "GET", "/admin/quotas/no-such-file.js"), 404u);
}

TEST_F(RoutesTest, HealthShowsNoPathAndItsDetailsNeedAKey) {
  const http::Router router = routes();
  http::Request req;
  req.method = "GET";
  req.path = "/health";
  const http::Response res = router.route(req);
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.body.find(config_.sqlite_path), std::string::npos) << res.body;
  req.path = "/api/admin/health";
  EXPECT_EQ(router.route(req).status, 401u);
}

}  // namespace
}  // namespace gaia::app
