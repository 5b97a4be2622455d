#include "cluster/redis/redis_time.h"

#include <gtest/gtest.h>

namespace gaia::cluster::redis {
namespace {

Reply string(std::string s) { return Reply{Reply::Kind::kString, std::move(s), 0, {}}; }
Reply array(std::vector<Reply> elements) {
  return Reply{Reply::Kind::kArray, {}, 0, std::move(elements)};
}

TEST(RedisTimeTest, ReadsSecondsAndMicroseconds) {
  auto t = parse_time(array({string("1700000000"), string("123456")}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.value().time_since_epoch(),
            std::chrono::seconds(1700000000) + std::chrono::microseconds(123456));
}

TEST(RedisTimeTest, RefusesAnythingElse) {
  EXPECT_FALSE(parse_time(string("1700000000")).ok());
  EXPECT_FALSE(parse_time(array({string("1700000000")})).ok());
  EXPECT_FALSE(parse_time(array({string("17x"), string("1")})).ok());
  EXPECT_FALSE(parse_time(array({string("1"), string("1000000")})).ok());
  EXPECT_FALSE(parse_time(array({string("-1"), string("0")})).ok());
  EXPECT_FALSE(parse_time(array({string("99999999999999999999"), string("0")})).ok());
}

}  // namespace
}  // namespace gaia::cluster::redis
