// The alert endpoints announce each change on the live feed (rule changes as config_changed
// {what:"alert_rule", action, id, by}; acks and silences as "alert") and announce nothing for
// a refused change. Real router, directory, evaluator and SQLite store; the feed records.

#include <gtest/gtest.h>

#include <mutex>

#include "http/alerts_api.h"
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

class HighCpu : public alerts::MetricSource {
 public:
  void read(std::string_view, alerts::ScopeKind, std::vector<alerts::Sample>& out) override {
    out.push_back({"", 99});
  }
};

class AlertsFeedTest : public ::testing::Test {
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
    evaluator_ =
        std::make_unique<alerts::Evaluator>(*store_, cpu_, clock_, alerts::EvaluatorOptions{});
    ASSERT_TRUE(evaluator_->load({}).ok());
    ApiContext ctx{*limiter_, *store_, *directory_, clock_, *metrics_, *book_, feed_};
    add_alerts_api(router_, ctx, *evaluator_);
  }
  Response call(std::string method, std::string path, std::string body = "") {
    Request req;
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
  std::unique_ptr<Directory> directory_;
  std::string admin_key_;
  std::unique_ptr<core::Limiter> limiter_;
  std::unique_ptr<RuleBook> book_;
  MetricsRegistry registry_;
  std::unique_ptr<ServiceMetrics> metrics_;
  HighCpu cpu_;
  std::unique_ptr<alerts::Evaluator> evaluator_;
  RecordingFeed feed_;
  Router router_;
};

constexpr const char* kRule = R"({"name":"Hot","metric":"cpu_pct","condition":">","threshold":90})";

TEST_F(AlertsFeedTest, RuleChangesAreAnnouncedWithTheirIdAndAuthor) {
  Response created = call("POST", "/api/admin/alerts/rules", kRule);
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = boost::json::parse(created.body).at("id").to_number<int64_t>();
  const std::string path = "/api/admin/alerts/rules/" + std::to_string(id);
  ASSERT_EQ(call("PUT", path, kRule).status, 200);
  ASSERT_EQ(call("DELETE", path).status, 200);
  auto messages = feed_.messages();
  ASSERT_EQ(messages.size(), 3u);
  const char* actions[] = {"create", "update", "delete"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(messages[i].first, "config_changed");
    EXPECT_EQ(messages[i].second.at("what"), "alert_rule");
    EXPECT_EQ(messages[i].second.at("action"), actions[i]);
    EXPECT_EQ(messages[i].second.at("id").to_number<int64_t>(), id);
    EXPECT_EQ(messages[i].second.at("by"), "root");
  }
}

TEST_F(AlertsFeedTest, RefusedChangesAnnounceNothing) {
  EXPECT_EQ(call("POST", "/api/admin/alerts/rules", "{}").status, 400);
  EXPECT_EQ(call("PUT", "/api/admin/alerts/rules/77", kRule).status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/alerts/rules/77").status, 404);
  EXPECT_EQ(call("DELETE", "/api/admin/alerts/rules/x").status, 400);
  EXPECT_EQ(call("POST", "/api/admin/alerts/77/ack").status, 404);
  EXPECT_TRUE(feed_.messages().empty());
}

TEST_F(AlertsFeedTest, AcksAndSilencesAreAnnouncedWithTheAlert) {
  ASSERT_EQ(call("POST", "/api/admin/alerts/rules", kRule).status, 201);
  evaluator_->evaluate();  // fires at once: for 0
  Response listed = call("GET", "/api/admin/alerts?state=firing");
  ASSERT_EQ(listed.status, 200);
  const boost::json::value page = boost::json::parse(listed.body);
  ASSERT_EQ(page.at("alerts").as_array().size(), 1u);
  const std::string id = std::to_string(page.at("alerts").at(0).at("id").to_number<int64_t>());
  ASSERT_EQ(call("POST", "/api/admin/alerts/" + id + "/ack", R"({"note":"mine"})").status, 200);
  ASSERT_EQ(call("POST", "/api/admin/alerts/" + id + "/silence", R"({"until_ms":1})").status, 200);
  auto messages = feed_.messages();
  ASSERT_EQ(messages.size(), 3u);  // the rule's creation, then the two changes
  EXPECT_EQ(messages[1].first, "alert");
  EXPECT_EQ(messages[1].second.at("ack").at("note"), "mine");
  EXPECT_EQ(messages[1].second.at("ack").at("by"), "root");
  EXPECT_EQ(messages[2].first, "alert");
  EXPECT_TRUE(messages[2].second.at("silenced_until_ms").is_null());  // a past time lifts it
}

}  // namespace
}  // namespace gaia::http
