// SessionStore over a real directory: a session lives no longer than the admin key it was
// opened with.

#include "identity/session_store.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::identity {
namespace {

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s.value());
    auto hasher = KeyHasher::from_file(dir_.file("key.secret"));
    ASSERT_TRUE(hasher.ok());
    auto d = Directory::load(*store_, hasher.value());
    ASSERT_TRUE(d.ok()) << d.status().message();
    directory_ = std::move(d.value());
    sessions_ = std::make_unique<SessionStore>(clock_, *directory_, SessionOptions{});
    ASSERT_TRUE(directory_->create_user("root", core::Tier::kDefault, 1).ok());
    auto k = directory_->create_key("root", store::Role::kAdmin, "", 1);
    ASSERT_TRUE(k.ok());
    key_ = k.value();
    token_ = sessions_->create(*directory_->authenticate(key_.key));
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Directory> directory_;
  std::unique_ptr<SessionStore> sessions_;
  NewKey key_;
  std::string token_;
};

TEST_F(SessionStoreTest, ASessionSeesItsKeyAsItIsNow) {
  ASSERT_TRUE(directory_->set_tier("root", core::Tier::kPremium).ok());
  auto caller = sessions_->find(token_);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->key_id, key_.record.id);
  EXPECT_EQ(caller->tier, core::Tier::kPremium);
}

TEST_F(SessionStoreTest, RevokingTheKeyEndsTheSession) {
  ASSERT_TRUE(directory_->revoke_key(key_.record.id, 2).ok());
  EXPECT_FALSE(sessions_->find(token_));
  EXPECT_EQ(sessions_->size(), 0u);
}

TEST_F(SessionStoreTest, DemotingTheKeyEndsTheSession) {
  ASSERT_TRUE(directory_->update_key(key_.record.id, store::Role::kService, false).ok());
  EXPECT_FALSE(sessions_->find(token_));
  // Made admin again, the key does not bring the ended session back.
  ASSERT_TRUE(directory_->update_key(key_.record.id, store::Role::kAdmin, false).ok());
  EXPECT_FALSE(sessions_->find(token_));
}

TEST_F(SessionStoreTest, DeletingTheUserEndsTheSession) {
  ASSERT_TRUE(directory_->delete_user("root", 2).ok());
  EXPECT_FALSE(sessions_->find(token_));
}

}  // namespace
}  // namespace gaia::identity
