#pragma once
// AdminRouterTest: the admin endpoints' world for unit tests, all real but the feed: a SQLite
// store in a temporary directory, a Directory with user "root" and an admin key for it, an
// empty limiter and rule book, service metrics, and a RecordingFeed. A suite adds the APIs it
// tests to router_ (context() gives what they need) and sends requests as root with call().

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_pools.h"
#include "api/api_support.h"
#include "http/live_feed.h"
#include "http/router.h"
#include "metrics/registry.h"
#include "support/directory_on_sqlite.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::api {

// A LiveFeed that records each message it is given. Any thread.
class RecordingFeed : public http::LiveFeed {
 public:
  void publish(std::string_view type, boost::json::object data) override {
    std::lock_guard lock(mu_);
    messages_.push_back({std::string(type), std::move(data)});
  }
  std::vector<std::pair<std::string, boost::json::object>> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, boost::json::object>> messages_;
};

class AdminRouterTest : public ::testing::Test {
 protected:
  // A suite's SetUp calls this first and stops if it failed (HasFatalFailure()).
  void SetUp() override {
    testing::open_directory_on_sqlite(dir_, clock_, store_, directory_);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(directory_->create_user("root", core::Tier::kDefault, 1).ok());
    auto key = directory_->create_key("root", store::Role::kAdmin, "", 1);
    ASSERT_TRUE(key.ok());
    admin_key_ = key->key;
    core::RuleSetOptions options{core::default_command_types(), core::Calendar::utc(), {}};
    limiter_ = std::make_unique<core::Limiter>(core::RuleSet::compile({}, options).value(),
                                               core::LimiterOptions{});
    auto book = rules::RuleBook::load(*store_, *limiter_, options);
    ASSERT_TRUE(book.ok());
    book_ = std::move(book.value());
    metrics_ = std::make_unique<ServiceMetrics>(registry_, *store_);
    add_api_pools(router_, {});
  }

  // What the APIs under test are given. REQUIRES: SetUp() succeeded.
  ApiContext context() {
    return ApiContext{*limiter_, *store_, *directory_, clock_, *metrics_, *book_, feed_};
  }

  // `method` of `path` (a query after '?') with `body`, as root's admin key.
  http::Response call(std::string method, std::string path, std::string body = "") {
    http::Request req;
    req.method = std::move(method);
    const size_t q = path.find('?');
    req.path = path.substr(0, q);
    if (q != std::string::npos) req.query = path.substr(q + 1);
    req.body = std::move(body);
    req.headers.push_back({"Authorization", "Bearer " + admin_key_});
    return router_.route(std::move(req));
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Directory> directory_;
  std::string admin_key_;
  std::unique_ptr<core::Limiter> limiter_;
  std::unique_ptr<rules::RuleBook> book_;
  metrics::MetricsRegistry registry_;
  std::unique_ptr<ServiceMetrics> metrics_;
  RecordingFeed feed_;
  http::Router router_;
};

}  // namespace gaia::api
