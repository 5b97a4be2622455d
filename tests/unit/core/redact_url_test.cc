#include "core/redact_url.h"

#include <gtest/gtest.h>

#include <string>

namespace gaia::core {
namespace {

TEST(RedactUrlTest, HidesThePasswordOfUserInfo) {
  EXPECT_EQ(redacted_url("postgres://gaia:s3cret@db:5432/gaia"),
            "postgres://gaia:***@db:5432/gaia");
  EXPECT_EQ(redacted_url("postgresql://gaia@db/gaia"), "postgresql://gaia@db/gaia");
}

TEST(RedactUrlTest, HidesQueryValuesButPlainConnectionSettings) {
  EXPECT_EQ(redacted_url("postgres://db/gaia?user=gaia&password=s3cret&sslmode=require"),
            "postgres://db/gaia?user=***&password=***&sslmode=require");
  EXPECT_EQ(redacted_url("https://hooks.example/alert?token=abc#frag"),
            "https://hooks.example/alert?token=***");
}

TEST(RedactUrlTest, HidesATokenInThePath) {
  EXPECT_EQ(redacted_url("https://hooks.example/services/T0001/B0002/XyZ123abcDEF456ghiJ"),
            "https://hooks.example/services/T0001/B0002/***");
  EXPECT_EQ(redacted_url("http://127.0.0.1:8080/review"), "http://127.0.0.1:8080/review");
}

TEST(RedactUrlTest, HidesThePasswordOfAConnectionString) {
  EXPECT_EQ(redacted_url("host=db password=s3cret dbname=gaia"),
            "host=db password=*** dbname=gaia");
  EXPECT_EQ(redacted_url("host=db password = 'it\\'s secret' user=x"),
            "host=db password =*** user=x");
}

TEST(RedactUrlTest, ALibrarysErrorLosesEverySecretOfTheUrlHoweverItIsQuoted) {
  EXPECT_EQ(without_secrets(R"(invalid percent-encoded token: "hunter%zz2")",
                            "postgres://gaia:hunter%zz2@db/gaia"),
            R"(invalid percent-encoded token: "***")");
  EXPECT_EQ(without_secrets("password hunter2 refused", "postgres://gaia:hunter%32@db/gaia"),
            "password *** refused");
  EXPECT_EQ(without_secrets(R"(invalid sslmode value: "hunter3")",
                            "postgres://db/gaia?password=hunter3&sslmode=hunter3"),
            R"(invalid sslmode value: "***")");
  EXPECT_EQ(without_secrets("it's secret: no", "host=db password='it\\'s secret' user=x"),
            "***: no");
  EXPECT_EQ(without_secrets("secret stays out", "host=db password='secret' user=x"),
            "*** stays out");
  EXPECT_EQ(without_secrets(R"(could not translate host name "db")", "postgres://gaia:pw@db/gaia"),
            R"(could not translate host name "db")");
}

TEST(RedactUrlTest, SecretsAreFoundInTheTextAsGivenNotInWhatHidingLeft) {
  // Overlapping secrets hide their union: no tail of the second one shows.
  EXPECT_EQ(without_secrets("key abcd refused", "postgres://db/gaia?p=abc&q=bcd"),
            "key *** refused");
  // A secret made of the mask's own bytes is hidden once; the text never grows with each
  // secret that repeats it.
  std::string url = "postgres://db/gaia?a=*";
  for (int i = 0; i < 64; ++i) url += "&k" + std::to_string(i) + "=*";
  EXPECT_EQ(without_secrets("x*y", url), "x***y");
}

TEST(RedactUrlTest, LeavesAPlainPathAsItIs) {
  EXPECT_EQ(redacted_url("./var/gaia.db"), "./var/gaia.db");
}

}  // namespace
}  // namespace gaia::core
