#include "app/config.h"

#include <gtest/gtest.h>

namespace gaia::app {
namespace {

TEST(ConfigTest, DefaultsWhenNothingIsSet) {
  auto c = resolve_config({}, {}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->bind_address, "127.0.0.1");
  EXPECT_EQ(c->database_url, "sqlite:./var/gaia.db");
  EXPECT_EQ(c->sqlite_path, "./var/gaia.db");
  EXPECT_EQ(c->time_zone, "UTC");
  EXPECT_GE(c->io_threads, 1u);
}

TEST(ConfigTest, FlagBeatsEnvironmentBeatsFile) {
  Settings file = {{"port", "1001"}, {"bind", "10.0.0.1"}, {"threads", "3"}};
  Settings env = {{"port", "1002"}, {"bind", "10.0.0.2"}};
  Settings flags = {{"port", "1003"}};
  auto c = resolve_config(flags, env, file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 1003);
  EXPECT_EQ(c->bind_address, "10.0.0.2");
  EXPECT_EQ(c->io_threads, 3u);
}

TEST(ConfigTest, ReadsEverySetting) {
  Settings flags = {{"port", "0"},
                    {"bind", "::1"},
                    {"database_url", "sqlite:///tmp/g.db"},
                    {"time_zone", "Europe/Paris"},
                    {"threads", "4"}};
  auto c = resolve_config(flags, {}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->bind_address, "::1");
  EXPECT_EQ(c->sqlite_path, "/tmp/g.db");
  EXPECT_EQ(c->time_zone, "Europe/Paris");
  EXPECT_EQ(c->io_threads, 4u);
}

// The error names the setting as the user spelled it, and the bad value.
void expect_rejected(const Settings& flags, const Settings& env, const Settings& file,
                     const std::string& origin, const std::string& value) {
  auto c = resolve_config(flags, env, file);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find(origin), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find(value), std::string::npos) << c.status().message();
}

TEST(ConfigTest, RejectsBadPortNamingItsSource) {
  expect_rejected({}, {{"port", "http"}}, {}, "PORT", "http");
  expect_rejected({{"port", "65536"}}, {}, {}, "--port", "65536");
  expect_rejected({}, {}, {{"port", "-1"}}, "config file key port", "-1");
}

TEST(ConfigTest, RejectsBadValuesOfEverySetting) {
  expect_rejected({}, {{"bind", "localhost:80"}}, {}, "GAIA_BIND", "localhost:80");
  expect_rejected({}, {{"database_url", "mysql://x"}}, {}, "DATABASE_URL", "mysql://x");
  expect_rejected({}, {{"time_zone", "Mars/Olympus"}}, {}, "GAIA_TIME_ZONE", "Mars/Olympus");
  expect_rejected({}, {{"threads", "0"}}, {}, "GAIA_THREADS", "0");
  expect_rejected({{"threads", "2x"}}, {}, {}, "--threads", "2x");
}

TEST(ConfigTest, ReadsPostgresUrlAndStoreSettings) {
  auto c = resolve_config({}, {{"database_url", "postgresql://gaia:pw@db:5432/gaia"},
                               {"store_failure", "closed"},
                               {"store_connect_retry_s", "0"}},
                          {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->postgres_url, "postgresql://gaia:pw@db:5432/gaia");
  EXPECT_EQ(c->data_dir, "./var");
  EXPECT_EQ(c->store_failure, StoreFailure::kClosed);
  EXPECT_EQ(c->store_connect_retry_s, 0u);
  EXPECT_EQ(redacted_url(c->postgres_url), "postgresql://gaia:***@db:5432/gaia");
  EXPECT_EQ(resolve_config({}, {{"database_url", "sqlite:/srv/g/gaia.db"}}, {})->data_dir,
            "/srv/g");
  EXPECT_EQ(resolve_config({}, {{"database_url", "postgres://h/d"}}, {})->store_failure,
            StoreFailure::kOpen);
  expect_rejected({}, {{"store_failure", "maybe"}}, {}, "GAIA_STORE_FAILURE", "maybe");
  expect_rejected({}, {{"store_connect_retry_s", "-3"}}, {}, "GAIA_STORE_CONNECT_RETRY_S", "-3");
}

TEST(ConfigTest, ValidFlagHidesBadLowerValue) {
  auto c = resolve_config({{"port", "9000"}}, {{"port", "bad"}}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 9000);
}

}  // namespace
}  // namespace gaia::app
