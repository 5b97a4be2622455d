// Directory over a real SQLite store: a change reaches the next lookup, it is told to the
// listeners, and no lookup waits for a change that waits on the database.

#include "identity/directory.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <future>

#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::identity {
namespace {

using namespace std::chrono_literals;

// The real store, which also says when a revocation has reached it and when the store has
// answered it.
class WatchedKeyStore final : public store::UserKeyStore {
 public:
  explicit WatchedKeyStore(store::UserKeyStore& inner) : inner_(inner) {}
  std::promise<void> revoking;
  std::atomic<bool> revoke_answered{false};

  store::Result<store::User> create_user(std::string_view name, core::Tier tier,
                                         int64_t now_ms) override {
    return inner_.create_user(name, tier, now_ms);
  }
  store::Result<std::optional<store::User>> find_user(std::string_view name) override {
    return inner_.find_user(name);
  }
  store::Result<std::vector<store::User>> list_users() override { return inner_.list_users(); }
  store::Status set_tier(uint64_t user_id, core::Tier tier) override {
    return inner_.set_tier(user_id, tier);
  }
  store::Status set_webhook_url(uint64_t user_id, std::string_view url) override {
    return inner_.set_webhook_url(user_id, url);
  }
  store::Status delete_user(uint64_t user_id, int64_t now_ms) override {
    return inner_.delete_user(user_id, now_ms);
  }
  store::Result<store::ApiKey> create_key(const store::ApiKey& key) override {
    return inner_.create_key(key);
  }
  store::Result<std::vector<store::ApiKey>> list_keys() override { return inner_.list_keys(); }
  store::Status revoke_key(uint64_t key_id, int64_t now_ms) override {
    revoking.set_value();
    store::Status s = inner_.revoke_key(key_id, now_ms);
    revoke_answered = true;
    return s;
  }
  store::Status update_key(uint64_t key_id, store::Role role, bool agent) override {
    return inner_.update_key(key_id, role, agent);
  }

 private:
  store::UserKeyStore& inner_;
};

class CountingListener final : public CredentialListener {
 public:
  void credentials_changed() override { ++changes; }
  int changes = 0;
};

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s.value());
    watched_ = std::make_unique<WatchedKeyStore>(*store_);
    auto hasher = KeyHasher::from_file(dir_.file("key.secret"));
    ASSERT_TRUE(hasher.ok());
    auto d = Directory::load(*watched_, hasher.value());
    ASSERT_TRUE(d.ok()) << d.status().message();
    directory_ = std::move(d.value());
    directory_->add_listener(&listener_);
    ASSERT_TRUE(directory_->create_user("alice", core::Tier::kDefault, 1).ok());
    ASSERT_TRUE(directory_->create_user("bob", core::Tier::kDefault, 1).ok());
  }
  NewKey key_of(const std::string& user, store::Role role = store::Role::kAdmin) {
    auto k = directory_->create_key(user, role, "", 1);
    EXPECT_TRUE(k.ok());
    return k.ok() ? k.value() : NewKey{};
  }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<WatchedKeyStore> watched_;
  CountingListener listener_;
  std::unique_ptr<Directory> directory_;
};

TEST_F(DirectoryTest, AuthenticationDoesNotWaitForARevocationStuckOnTheDatabase) {
  const NewKey alices = key_of("alice");
  const NewKey bobs = key_of("bob");
  // Another connection holds the database's write lock: the revocation's write must wait.
  sqlite3* locker = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("gaia.db").c_str(), &locker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(locker, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::future<core::Result<store::ApiKey>> revocation =
      std::async(std::launch::async, [&] { return directory_->revoke_key(alices.record.id, 2); });
  ASSERT_EQ(watched_->revoking.get_future().wait_for(30s), std::future_status::ready);

  EXPECT_TRUE(directory_->authenticate(bobs.key)) << "bob's key is authenticated meanwhile";
  EXPECT_TRUE(directory_->caller_of(bobs.record.id));
  EXPECT_FALSE(watched_->revoke_answered) << "the revocation was still waiting for the database";

  ASSERT_EQ(sqlite3_exec(locker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(locker);
  EXPECT_TRUE(revocation.get().ok());
  EXPECT_FALSE(directory_->authenticate(alices.key));
}

TEST_F(DirectoryTest, ARevokedKeyIsNoCallerAndTheChangeIsTold) {
  const NewKey k = key_of("alice");
  ASSERT_TRUE(directory_->caller_of(k.record.id));
  ASSERT_TRUE(directory_->revoke_key(k.record.id, 2).ok());
  EXPECT_FALSE(directory_->authenticate(k.key));
  EXPECT_FALSE(directory_->caller_of(k.record.id));
  EXPECT_EQ(listener_.changes, 1);
  EXPECT_EQ(directory_->revoke_key(k.record.id, 3).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(listener_.changes, 1);
}

TEST_F(DirectoryTest, AKeysRoleAndAgentMarkChangeAtOnceAndSurviveAReload) {
  const NewKey k = key_of("alice");
  ASSERT_TRUE(directory_->update_key(k.record.id, store::Role::kUser, true).ok());
  EXPECT_EQ(listener_.changes, 1);
  auto caller = directory_->caller_of(k.record.id);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->role, store::Role::kUser);
  EXPECT_TRUE(caller->agent);

  auto hasher = KeyHasher::from_file(dir_.file("key.secret"));
  auto reloaded = Directory::load(*store_, hasher.value());
  ASSERT_TRUE(reloaded.ok());
  auto again = reloaded.value()->authenticate(k.key);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->role, store::Role::kUser);
  EXPECT_TRUE(again->agent);
}

TEST_F(DirectoryTest, DeletingAUserEndsEveryKeyOfItsAndFreesNothingElse) {
  const NewKey first = key_of("alice");
  const NewKey second = key_of("alice", store::Role::kUser);
  const NewKey bobs = key_of("bob");
  ASSERT_TRUE(directory_->delete_user("alice", 2).ok());
  EXPECT_EQ(listener_.changes, 1);
  EXPECT_FALSE(directory_->authenticate(first.key));
  EXPECT_FALSE(directory_->caller_of(second.record.id));
  EXPECT_FALSE(directory_->find_user("alice"));
  EXPECT_TRUE(directory_->authenticate(bobs.key));
  EXPECT_EQ(directory_->delete_user("alice", 3).status().code(), core::StatusCode::kNotFound);

  auto hasher = KeyHasher::from_file(dir_.file("key.secret"));
  auto reloaded = Directory::load(*store_, hasher.value());
  ASSERT_TRUE(reloaded.ok());
  EXPECT_FALSE(reloaded.value()->authenticate(second.key));
  EXPECT_FALSE(reloaded.value()->find_user("alice"));
}

TEST_F(DirectoryTest, AReloadTakesInWhatAnotherWriterChangedAndTellsTheListeners) {
  const NewKey revoked_elsewhere = key_of("alice");
  // Another node's directory on the same database.
  auto hasher = KeyHasher::from_file(dir_.file("key.secret"));
  auto other = Directory::load(*store_, hasher.value());
  ASSERT_TRUE(other.ok()) << other.status().message();
  ASSERT_TRUE(other.value()->create_user("carol", core::Tier::kPremium, 2).ok());
  auto made_elsewhere = other.value()->create_key("carol", store::Role::kUser, "", 2);
  ASSERT_TRUE(made_elsewhere.ok());
  ASSERT_TRUE(other.value()->revoke_key(revoked_elsewhere.record.id, 3).ok());
  EXPECT_FALSE(directory_->authenticate(made_elsewhere->key)) << "not read yet";
  EXPECT_TRUE(directory_->authenticate(revoked_elsewhere.key)) << "not read yet";
  const int told = listener_.changes;

  ASSERT_TRUE(directory_->reload().ok());
  auto carol = directory_->authenticate(made_elsewhere->key);
  ASSERT_TRUE(carol);
  EXPECT_EQ(carol->user_name, "carol");
  EXPECT_EQ(carol->tier, core::Tier::kPremium);
  EXPECT_FALSE(directory_->authenticate(revoked_elsewhere.key));
  EXPECT_FALSE(directory_->caller_of(revoked_elsewhere.record.id));
  EXPECT_EQ(listener_.changes, told + 1) << "sessions of the revoked key must end";
}

// authenticate() remembers the keys it found: every change is seen by the next lookup all the
// same, whichever change it is.
TEST_F(DirectoryTest, AKeyFoundBeforeIsCheckedAgainAfterEveryChange) {
  const NewKey k = key_of("alice");
  const NewKey bobs = key_of("bob");
  ASSERT_TRUE(directory_->authenticate(k.key));
  ASSERT_TRUE(directory_->authenticate(k.key));

  ASSERT_TRUE(directory_->set_tier("alice", core::Tier::kPremium).ok());
  EXPECT_EQ(directory_->authenticate(k.key)->tier, core::Tier::kPremium);
  directory_->set_limit_scales({{"alice", 500}});
  EXPECT_EQ(directory_->authenticate(k.key)->limit_scale, 500);
  ASSERT_TRUE(directory_->update_key(k.record.id, store::Role::kUser, true).ok());
  EXPECT_EQ(directory_->authenticate(k.key)->role, store::Role::kUser);
  EXPECT_TRUE(directory_->authenticate(k.key)->agent);

  // Another directory on the same database found the key too; a revocation here is not
  // its change until it reloads.
  auto hasher = KeyHasher::from_file(dir_.file("key.secret"));
  auto other = Directory::load(*store_, hasher.value());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other.value()->authenticate(k.key));
  ASSERT_TRUE(directory_->revoke_key(k.record.id, 2).ok());
  EXPECT_FALSE(directory_->authenticate(k.key));
  EXPECT_TRUE(other.value()->authenticate(k.key));
  ASSERT_TRUE(other.value()->reload().ok());
  EXPECT_FALSE(other.value()->authenticate(k.key));

  EXPECT_EQ(directory_->authenticate(bobs.key)->user_name, "bob");
  ASSERT_TRUE(directory_->delete_user("bob", 3).ok());
  EXPECT_FALSE(directory_->authenticate(bobs.key));
}

// More keys than a thread remembers, each found twice: each is its own user's, and a key one
// byte away from a remembered one is no one's.
TEST_F(DirectoryTest, ManyKeysFoundAgainAreEachTheirOwn) {
  std::vector<NewKey> keys;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "user" + std::to_string(i);
    ASSERT_TRUE(directory_->create_user(name, core::Tier::kDefault, 1).ok());
    keys.push_back(key_of(name, store::Role::kUser));
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < keys.size(); ++i) {
      auto caller = directory_->authenticate(keys[i].key);
      ASSERT_TRUE(caller) << i;
      EXPECT_EQ(caller->user_name, "user" + std::to_string(i));
      EXPECT_EQ(caller->key_id, keys[i].record.id);
      std::string near = keys[i].key;
      near.back() = near.back() == 'a' ? 'b' : 'a';
      EXPECT_FALSE(directory_->authenticate(near)) << i;
    }
  }
}

}  // namespace
}  // namespace gaia::identity
