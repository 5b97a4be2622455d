// The settings of the counters shared in Redis: off by default, read from every source, and
// bad values refused naming the setting as the user spelled it.

#include <gtest/gtest.h>

#include "app/config.h"

namespace gaia::app {
namespace {

TEST(RedisSettingsTest, OffByDefaultClosedWithAFiveMillisecondDeadlineAndSixSecondLeases) {
  auto c = resolve_config({}, {}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->redis_url, "");
  EXPECT_EQ(c->redis_failure, RedisFailure::kClosed);
  EXPECT_EQ(c->redis_deadline_ms, 5u);
  EXPECT_EQ(c->redis_lease_ttl_ms, 6000u);
}

TEST(RedisSettingsTest, ReadsTheUrlThePolicyTheDeadlineAndTheLeaseTerm) {
  auto c = resolve_config(
      {{"redis_deadline_ms", "20"}, {"redis_lease_ttl_ms", "1500"}},
      {{"redis_url", "redis://:pw@10.0.0.5:6380/2"}, {"redis_failure", "local"}}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->redis_url, "redis://:pw@10.0.0.5:6380/2");
  EXPECT_EQ(c->redis_failure, RedisFailure::kLocal);
  EXPECT_EQ(c->redis_deadline_ms, 20u);
  EXPECT_EQ(c->redis_lease_ttl_ms, 1500u);
  EXPECT_EQ(resolve_config({}, {{"redis_lease_ttl_ms", "45000"}}, {})->redis_lease_ttl_ms, 45000u);
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
  // Shorter than a few renewals' round trips, or longer than a dead node should cost.
  refused({{"redis_lease_ttl_ms", "299"}}, "GAIA_REDIS_LEASE_TTL_MS");
  refused({{"redis_lease_ttl_ms", "600001"}}, "GAIA_REDIS_LEASE_TTL_MS");
  refused({{"redis_lease_ttl_ms", "soon"}}, "GAIA_REDIS_LEASE_TTL_MS");
}

}  // namespace
}  // namespace gaia::app
