// ChangeFeed on a real PostgreSQL database: a committed write of a table reloads what reads
// it, and nothing else; a lost connection ends in a full reload.

#include "cluster/change_feed.h"

#include <atomic>
#include <chrono>

#include "cluster_fixture.h"
#include "support/eventually.h"

namespace gaia::cluster {
namespace {

using namespace std::chrono_literals;

const auto* const kPostgres = ::testing::AddGlobalTestEnvironment(new testing::PostgresEnvironment);

class ChangeFeedTest : public ClusterFixture {
 protected:
  void start_feed() {
    feed_ = std::make_unique<ChangeFeed>(
        *cluster_, std::vector<ChangeTarget>{
                       {{"users", "api_keys"}, [this] { return count(accounts_); }},
                       {{"quota_rules"}, [this] { return count(rules_); }},
                   });
    feed_->start();
    ASSERT_TRUE(testing::eventually([&] { return feed_->status().connected; }, 30s, 10ms));
  }
  static core::Status count(std::atomic<int>& n) {
    ++n;
    return {};
  }

  std::atomic<int> accounts_{0}, rules_{0};
  std::unique_ptr<ChangeFeed> feed_;
};

TEST_F(ChangeFeedTest, ACommittedWriteReloadsWhatReadsItsTableAndNothingElse) {
  start_feed();
  EXPECT_EQ(accounts_, 1) << "the connection began with a full reload";
  EXPECT_EQ(rules_, 1);
  ASSERT_TRUE(store_->create_user("alice", core::Tier::kDefault, 1).ok());
  EXPECT_TRUE(testing::eventually([&] { return accounts_ == 2; }, 30s, 5ms));
  EXPECT_TRUE(store_->add_rules({"{}"}, 1).ok());
  EXPECT_TRUE(testing::eventually([&] { return rules_ == 2; }, 30s, 5ms));
  EXPECT_EQ(accounts_, 2);
  EXPECT_EQ(feed_->status().notices, 2u);
}

TEST_F(ChangeFeedTest, AWriteRolledBackNotifiesNoOne) {
  start_feed();
  ASSERT_TRUE(
      run_sql("BEGIN; INSERT INTO users (name, tier, created_at_ms) "
              "VALUES ('ghost', 'default', 1); ROLLBACK;"));
  ASSERT_TRUE(run_sql("INSERT INTO quota_rules (name, body, updated_at_ms) VALUES ('r', '{}', 1)"));
  ASSERT_TRUE(testing::eventually([&] { return rules_ == 2; }, 30s, 5ms));
  EXPECT_EQ(accounts_, 1);
}

TEST_F(ChangeFeedTest, ALostConnectionIsMadeAgainAndBeginsWithAFullReload) {
  start_feed();
  ASSERT_TRUE(
      run_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE application_name = 'gaia_change_feed' AND datname = current_database()"));
  EXPECT_TRUE(testing::eventually(
      [&] { return feed_->status().full_reloads == 2 && feed_->status().connected; }, 30s, 5ms));
  EXPECT_EQ(feed_->status().connections, 2u);
  EXPECT_EQ(accounts_, 2);
  EXPECT_EQ(rules_, 2);
}

TEST_F(ChangeFeedTest, AFailedReloadDropsTheConnectionAndTheNextReloadsEverything) {
  std::atomic<bool> fail_next{false};
  feed_ = std::make_unique<ChangeFeed>(*cluster_,
                                       std::vector<ChangeTarget>{
                                           {{"users"},
                                            [&]() -> core::Status {
                                              if (fail_next.exchange(false))
                                                return core::Status::internal("bad row");
                                              ++accounts_;
                                              return {};
                                            }},
                                           {{"quota_rules"}, [this] { return count(rules_); }},
                                       });
  feed_->start();
  ASSERT_TRUE(testing::eventually([&] { return feed_->status().connected; }, 30s, 10ms));
  fail_next = true;
  ASSERT_TRUE(store_->create_user("bob", core::Tier::kDefault, 1).ok());
  EXPECT_TRUE(testing::eventually([&] { return feed_->status().connections == 2; }, 30s, 5ms));
  EXPECT_TRUE(testing::eventually([&] { return accounts_ == 2 && rules_ == 2; }, 30s, 5ms));
}

}  // namespace
}  // namespace gaia::cluster
