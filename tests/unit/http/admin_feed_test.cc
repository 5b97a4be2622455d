// The admin endpoints announce each change on the live feed as config_changed
// {what, action, id, by}, and announce nothing for a refused change. Real router, directory,
// rule book and SQLite store; the feed records what it is given.

#include <gtest/gtest.h>

#include <mutex>

#include "http/admin_api.h"
#include "http/admin_rules_api.h"
#include "http/admin_users_api.h"
#include "http/live_feed.h"
#include "http/metrics.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::http {
namespace {

class RecordingFeed : public LiveFeed {
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

class AdminFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
    auto hasher = KeyHasher::from_file(dir_.file("key_secret"));
    ASSERT_TRUE(hasher.ok());
    auto directory = Directory::load(*store_, hasher.value());
    ASSERT_TRUE(directory.ok());
    directory_ = std::move(directory.value());
    ASSERT_TRUE(directory_->create_user("root", core::Tier::kDefault, 1).ok());
    auto key = directory_->create_key("root", store::Role::kAdmin, "", 1);
    ASSERT_TRUE(key.ok());
    admin_key_ = key->key;
    core::RuleSetOptions options{core::default_command_types(), core::Calendar::utc(), {}};
    limiter_ = std::make_unique<core::Limiter>(core::RuleSet::compile({}, options).value(),
                                               core::LimiterOptions{});
    auto book = RuleBook::load(*store_, *limiter_, options);
    ASSERT_TRUE(book.ok());
    book_ = std::move(book.value());
    metrics_ = std::make_unique<ServiceMetrics>(registry_, *store_);
    ApiContext ctx{*limiter_, *store_, *directory_, clock_, *metrics_, *book_, feed_};
    add_admin_api(router_, ctx);
    add_admin_rules_api(router_, ctx);
    add_admin_users_api(router_, ctx, reputation_);
  }
  Response call(std::string method, std::string path, std::string body = "") {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.body = std::move(body);
    req.headers.push_back({"Authorization", "Bearer " + admin_key_});
    return router_.route(std::move(req));
  }
  // The config_changed messages so far, as "what/action/id/by".
  std::vector<std::string> changes() const {
    std::vector<std::string> out;
    for (const auto& [type, data] : feed_.messages()) {
      EXPECT_EQ(type, "config_changed");
      const boost::json::value& id = data.at("id");
      out.push_back(
          std::string(data.at("what").as_string()) + "/" +
          std::string(data.at("action").as_string()) + "/" +
          (id.is_string() ? std::string(id.as_string()) : std::to_string(id.to_number<int64_t>())) +
          "/" + std::string(data.at("by").as_string()));
    }
    return out;
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Directory> directory_;
  std::string admin_key_;
  std::unique_ptr<core::Limiter> limiter_;
  std::unique_ptr<RuleBook> book_;
  MetricsRegistry registry_;
  std::unique_ptr<ServiceMetrics> metrics_;
  ReputationBook reputation_{core::ReputationConfig{}, clock_};
  RecordingFeed feed_;
  Router router_;
};

constexpr const char* kRule = R"({"subject":{"kind":"global"},"command_type":"shell",)"
                              R"("limits":[{"kind":"calendar","period":"day","amount":2}]})";

TEST_F(AdminFeedTest, RuleChangesAreAnnouncedWithTheirIdAndAuthor) {
  Response created = call("POST", "/api/admin/quotas/config", kRule);
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = boost::json::parse(created.body).at("id").to_number<int64_t>();
  const std::string path = "/api/admin/quotas/config/" + std::to_string(id);
  ASSERT_EQ(call("PUT", path, kRule).status, 200);
  ASSERT_EQ(call("DELETE", path).status, 200);
  const std::string n = std::to_string(id);
  EXPECT_EQ(changes(),
            (std::vector<std::string>{"rule/create/" + n + "/root", "rule/update/" + n + "/root",
                                      "rule/delete/" + n + "/root"}));
}

TEST_F(AdminFeedTest, RefusedChangesAnnounceNothing) {
  EXPECT_EQ(call("POST", "/api/admin/quotas/config", "{}").status, 400);
  EXPECT_EQ(call("PUT", "/api/admin/quotas/config/default-shell", kRule).status, 409);
  EXPECT_EQ(call("DELETE", "/api/admin/quotas/config/77").status, 404);
  EXPECT_EQ(call("POST", "/api/admin/users/nobody/reset").status, 404);
  EXPECT_EQ(call("PUT", "/api/admin/users/root/overrides", R"({"limits":3})").status, 400);
  EXPECT_TRUE(changes().empty());
}

TEST_F(AdminFeedTest, UserChangesAreAnnouncedByName) {
  ASSERT_EQ(call("POST", "/api/admin/users", R"({"name":"alice"})").status, 201);
  ASSERT_EQ(call("PUT", "/api/admin/users/alice", R"({"tier":"premium"})").status, 200);
  ASSERT_EQ(call("PUT", "/api/admin/users/alice/overrides",
                 R"({"limits":[{"kind":"concurrency","amount":1}]})")
                .status,
            200);
  ASSERT_EQ(call("POST", "/api/admin/users/alice/reset").status, 200);
  EXPECT_EQ(changes(),
            (std::vector<std::string>{"user/create/alice/root", "user/update/alice/root",
                                      "user/update/alice/root", "user/reset/alice/root"}));
}

}  // namespace
}  // namespace gaia::http
