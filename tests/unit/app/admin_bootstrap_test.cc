// The admin account at start-up, on a real SQLite store in a temporary directory.

#include "app/admin_bootstrap.h"

#include <gtest/gtest.h>

#include <sstream>

#include "support/directory_on_sqlite.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::app {
namespace {

constexpr int64_t kNowMs = 1'767'571'200'000;
constexpr std::string_view kKeyLine = "[INIT] Admin key (shown only this once, keep it): ";

class AdminBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::open_directory_on_sqlite(dir_, clock_, store_, directory_); }

  testing::TempDir dir_;
  testing::ManualClock clock_;
  Config config_ = default_config();
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Directory> directory_;
  std::ostringstream out_, err_;
};

TEST_F(AdminBootstrapTest, FirstStartMakesAnAdminKeyAndPrintsItOnce) {
  ASSERT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
  const std::string printed = out_.str();
  ASSERT_EQ(printed.rfind(kKeyLine, 0), 0u) << printed;
  const std::string key = printed.substr(kKeyLine.size(), printed.size() - kKeyLine.size() - 1);
  const auto caller = directory_->authenticate(key);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->user_name, "admin");
  EXPECT_EQ(caller->role, store::Role::kAdmin);
  EXPECT_EQ(caller->tier, core::Tier::kEnterprise);

  out_.str("");
  EXPECT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(AdminBootstrapTest, AdoptsTheConfiguredKeyWithoutPrintingIt) {
  config_.admin_key = "an-operator-chosen-admin-key-of-40-chars";
  ASSERT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
  EXPECT_EQ(out_.str(), "");
  const auto caller = directory_->authenticate(config_.admin_key);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->role, store::Role::kAdmin);
  // A second start with the same key is no change.
  EXPECT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
}

TEST_F(AdminBootstrapTest, ARevokedConfiguredKeyStaysRevokedAndTheStartGoesOn) {
  config_.admin_key = "an-operator-chosen-admin-key-of-40-chars";
  ASSERT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
  ASSERT_TRUE(directory_->create_key("admin", store::Role::kAdmin, "spare", kNowMs).ok());
  const auto env = directory_->authenticate(config_.admin_key);
  ASSERT_TRUE(env);
  ASSERT_TRUE(directory_->revoke_key(env->key_id, kNowMs + 1).ok());

  EXPECT_TRUE(bootstrap_admin(config_, *directory_, kNowMs + 2, out_, err_)) << err_.str();
  EXPECT_FALSE(directory_->authenticate(config_.admin_key));
  EXPECT_NE(err_.str().find("[WARN] GAIA_ADMIN_KEY is a revoked key"), std::string::npos)
      << err_.str();
  EXPECT_EQ(out_.str(), "") << "another admin key is left: none is made";
}

TEST_F(AdminBootstrapTest, ARevokedConfiguredKeyThatWasTheLastAdminKeyGetsANewOnePrinted) {
  config_.admin_key = "an-operator-chosen-admin-key-of-40-chars";
  ASSERT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
  ASSERT_TRUE(
      directory_->revoke_key(directory_->authenticate(config_.admin_key)->key_id, kNowMs).ok());

  EXPECT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
  EXPECT_FALSE(directory_->authenticate(config_.admin_key));
  EXPECT_EQ(out_.str().rfind(kKeyLine, 0), 0u) << out_.str();
  EXPECT_TRUE(directory_->has_admin_key());
}

TEST_F(AdminBootstrapTest, AChangedConfiguredKeyRevokesTheOneBefore) {
  config_.admin_key = "an-operator-chosen-admin-key-of-40-chars";
  ASSERT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
  const std::string before = config_.admin_key;
  config_.admin_key = "the-operators-next-admin-key-of-40-chars";
  ASSERT_TRUE(bootstrap_admin(config_, *directory_, kNowMs, out_, err_)) << err_.str();
  EXPECT_FALSE(directory_->authenticate(before));
  const auto now = directory_->authenticate(config_.admin_key);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->role, store::Role::kAdmin);
  EXPECT_NE(out_.str().find("GAIA_ADMIN_KEY changed"), std::string::npos) << out_.str();
}

}  // namespace
}  // namespace gaia::app
