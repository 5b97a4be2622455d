#include "cluster/redis/redis_url.h"

#include <gtest/gtest.h>

namespace gaia::cluster::redis {
namespace {

TEST(RedisUrlTest, ReadsEveryPart) {
  auto url = RedisUrl::parse("redis://gaia:s%40cret@redis.example:6380/3");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->host, "redis.example");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->user, "gaia");
  EXPECT_EQ(url->password, "s@cret");
  EXPECT_EQ(url->database, 3);
}

TEST(RedisUrlTest, DefaultsToPort6379DatabaseZeroAndNoPassword) {
  auto url = RedisUrl::parse("redis://127.0.0.1");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->database, 0);
  EXPECT_TRUE(url->password.empty());
  EXPECT_TRUE(url->user.empty());
}

TEST(RedisUrlTest, TakesAPasswordWithoutAUser) {
  auto url = RedisUrl::parse("redis://:pw@localhost:7000/");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_TRUE(url->user.empty());
  EXPECT_EQ(url->password, "pw");
  EXPECT_EQ(url->database, 0);
}

TEST(RedisUrlTest, TakesAnIpv6HostWithoutItsBrackets) {
  auto url = RedisUrl::parse("redis://[::1]:6390");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->redacted(), "redis://[::1]:6390");
}

TEST(RedisUrlTest, RefusesWhatItCannotUseSayingWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"rediss://host", "scheme"},       {"http://host", "scheme"},
      {"redis://", "no host"},           {"redis://host:0", "port"},
      {"redis://host:99999", "port"},    {"redis://host/abc", "database"},
      {"redis://host/1/2", "database"},  {"redis://host/-1", "database"},
      {"redis://host?db=1", "query"},    {"redis://host#x", "fragment"},
      {"redis://user@host", "password"}, {"not a url", "not a URL"},
  };
  for (const auto& [text, why] : cases) {
    auto url = RedisUrl::parse(text);
    ASSERT_FALSE(url.ok()) << text;
    EXPECT_NE(url.status().message().find(why), std::string::npos)
        << text << ": " << url.status().message();
    EXPECT_EQ(url.status().message().rfind("redis_url: ", 0), 0u) << url.status().message();
  }
}

TEST(RedisUrlTest, RedactedFormHidesThePassword) {
  auto url = RedisUrl::parse("redis://gaia:topsecret@10.0.0.5:6380/2");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->redacted(), "redis://gaia:***@10.0.0.5:6380/2");
  EXPECT_EQ(url->redacted().find("topsecret"), std::string::npos);
}

}  // namespace
}  // namespace gaia::cluster::redis
