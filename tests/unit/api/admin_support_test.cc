// Query parameters of the admin endpoints: decoded text, integers, RFC 3339 times.

#include "api/admin/admin_support.h"

#include <gtest/gtest.h>

namespace gaia::api::admin {
namespace {

TEST(AdminQueryTest, TextParametersArePercentDecoded) {
  QueryReader q("user=eve.o%40x.org&q=a+b");
  EXPECT_EQ(q.text("user"), "eve.o@x.org");
  EXPECT_EQ(q.text("q"), "a b");
  EXPECT_FALSE(q.error());
}

TEST(AdminQueryTest, IntegersOutOfRangeNameTheParameter) {
  QueryReader q("limit=0&offset=3");
  EXPECT_EQ(q.integer("offset", 0, 10), 3);
  EXPECT_FALSE(q.error());
  EXPECT_EQ(q.integer("limit", 1, 1000), std::nullopt);
  ASSERT_TRUE(q.error());
  EXPECT_EQ(q.error()->status, 400);
  EXPECT_NE(q.error()->body.find(R"("field":"limit")"), std::string::npos);
}

TEST(AdminQueryTest, TimesAreMillisecondsOrRfc3339) {
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_ms("2026-01-05T00:00:00Z"), 1767571200000);
  EXPECT_EQ(parse_rfc3339_ms("2026-01-05T02:00:00.250+02:00"), 1767571200250);
  EXPECT_EQ(parse_rfc3339_ms("2026-01-04T19:00:00-05:00"), 1767571200000);
  EXPECT_EQ(parse_rfc3339_ms("2026-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339_ms("2026-01-05"), std::nullopt);
  EXPECT_EQ(parse_rfc3339_ms("2026-01-05T00:00:00"), std::nullopt);
  QueryReader q("from=1767571200000&to=2026-01-06T00:00:00Z&at=soon");
  EXPECT_EQ(q.time_ms("from"), 1767571200000);
  EXPECT_EQ(q.time_ms("to"), 1767657600000);
  EXPECT_EQ(q.time_ms("at"), std::nullopt);
  EXPECT_TRUE(q.error());
}

TEST(AdminQueryTest, ATimePastTheYear9999IsRefusedNamingItBeforeAnythingAddsToIt) {
  QueryReader last("hour=253402300799999");
  EXPECT_EQ(last.time_ms("hour"), 253402300799999);
  EXPECT_FALSE(last.error());
  QueryReader past("hour=253402300800000");
  EXPECT_EQ(past.time_ms("hour"), std::nullopt);
  ASSERT_TRUE(past.error());
  EXPECT_NE(past.error()->body.find(R"("field":"hour")"), std::string::npos) << past.error()->body;
}

}  // namespace
}  // namespace gaia::api::admin
