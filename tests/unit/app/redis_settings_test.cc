// The settings of the counters shared in Redis: off by default, read from every source, and
// bad values refused naming the setting as the user spelled it.

#include <gtest/gtest.h>

#include "app/config.h"

namespace gaia::app {
namespace {

TEST(RedisSettingsTest, OffByDefaultClosedWithAFiveMillisecondDeadline) {
  auto c = resolve_config({}, {}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->redis_url, "");
  EXPECT_EQ(c->redis_failure, RedisFailure::kClosed);
  EXPECT_EQ(c->redis_deadline_ms, 5u);
}

TEST(RedisSettingsTest, ReadsTheUrlThePolicyAndTheDeadline) {
  auto c = resolve_config(
      {{"redis_deadline_ms", "20"}},
      {{"redis_url", "redis://:pw@10.0.0.5:6380/2"}, {"redis_failure", "local"}}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->redis_url, "redis://:pw@10.0.0.5:6380/2");
  EXPECT_EQ(c->redis_failure, RedisFailure::kLocal);
  EXPECT_EQ(c->redis_deadline_ms, 20u);
  EXPECT_EQ(resolve_config({}, {}, {{"redis_failure", "open"}})->redis_failure,
            RedisFailure::kOpen);
}

TEST(RedisSettingsTest, RefusesBadValuesNamingTheSetting) {
  auto refused = [](const Settings& env, const std::string& name) {
    auto c = resolve_config({}, env, {});
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find(name), std::string::npos) << c.status().message();
  };
  refused({{"redis_url", "http://10.0.0.5"}}, "GAIA_REDIS_URL");
  refused({{"redis_url", "redis://"}}, "GAIA_REDIS_URL");
  refused({{"redis_failure", "maybe"}}, "GAIA_REDIS_FAILURE");
  refused({{"redis_deadline_ms", "0"}}, "GAIA_REDIS_DEADLINE_MS");
}

}  // namespace
}  // namespace gaia::app
