#include "store/event_feed.h"

#include <gtest/gtest.h>

#include <future>

#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::store {
namespace {

// Remembers every event it hears.
struct Recorder final : StoreListener {
  std::vector<std::pair<Usage, int64_t>> usage;
  std::vector<Violation> violations;
  std::vector<Execution> executions;
  void on_usage(const Usage& delta, int64_t at_ms) override { usage.emplace_back(delta, at_ms); }
  void on_violation(const Violation& v) override { violations.push_back(v); }
  void on_execution(const Execution& e) override { executions.push_back(e); }
};

class EventFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    inner_ = std::move(opened.value());
    feed_ = std::make_unique<EventFeed>(*inner_, clock_);
    feed_->add_listener(&first_);
    feed_->add_listener(&second_);
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  std::unique_ptr<Store> inner_;
  std::unique_ptr<EventFeed> feed_;
  Recorder first_, second_;
};

TEST_F(EventFeedTest, EveryListenerHearsEachWriteAndTheStoreKeepsIt) {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  feed_->add_usage({7, 3, "build", 0, 2});
  feed_->record_violation({7, 3, "build", "calendar:day:500", "make", now_ms});
  Execution e;
  e.id = "run-1";
  e.user_id = 7;
  e.type = "build";
  e.exit_code = 0;
  std::promise<Result<bool>> stored;
  feed_->record_execution(e, [&](Result<bool> r) { stored.set_value(std::move(r)); });
  Result<bool> done = stored.get_future().get();
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done.value());
  ASSERT_TRUE(feed_->flush().ok());

  for (const Recorder* r : {&first_, &second_}) {
    ASSERT_EQ(r->usage.size(), 1u);
    EXPECT_EQ(r->usage[0].first.used, 2u);
    EXPECT_EQ(r->usage[0].second, now_ms);  // stamped by the feed's clock
    ASSERT_EQ(r->violations.size(), 1u);
    EXPECT_EQ(r->violations[0].limit, "calendar:day:500");
    ASSERT_EQ(r->executions.size(), 1u);
    EXPECT_EQ(r->executions[0].id, "run-1");
  }
  auto usage = inner_->usage_since(0);
  ASSERT_TRUE(usage.ok());
  ASSERT_EQ(usage->size(), 1u);
  EXPECT_EQ(usage->at(0).used, 2u);
  auto violations = inner_->violations_since(0);
  ASSERT_TRUE(violations.ok());
  EXPECT_EQ(violations->size(), 1u);
  auto found = inner_->find_execution(7, "run-1");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->has_value());
}

TEST_F(EventFeedTest, OtherCallsReachTheInnerStoreUnheard) {
  ASSERT_TRUE(feed_->create_user("alice", core::Tier::kPremium, 1).ok());
  auto found = inner_->find_user("alice");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(found.value()->tier, core::Tier::kPremium);
  EXPECT_TRUE(first_.usage.empty() && first_.violations.empty() && first_.executions.empty());
}

}  // namespace
}  // namespace gaia::store
