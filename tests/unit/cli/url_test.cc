#include "cli/url.h"

#include <gtest/gtest.h>

namespace gaia::cli {
namespace {

TEST(UrlTest, ReadsHostPortAndPrefix) {
  auto url = parse_url("http://gaia.example:9090/api-gw/");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->host, "gaia.example");
  EXPECT_EQ(url->port, 9090);
  EXPECT_EQ(url->base_path, "/api-gw");
  EXPECT_EQ(url->authority(), "gaia.example:9090");
}

TEST(UrlTest, DefaultsThePortAndBracketsIpv6) {
  auto plain = parse_url("http://127.0.0.1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->base_path, "");
  auto v6 = parse_url("http://[::1]:8080");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:8080");
}

TEST(UrlTest, RefusesWhatTheClientCannotSpeak) {
  for (const char* bad :
       {"https://gaia.example", "ftp://x", "gaia.example:8080", "http://user@host", "http://host:0",
        "http://host:65536", "http://host:80x", "http://host/?q=1", "http://", "http://[::1"}) {
    auto url = parse_url(bad);
    EXPECT_FALSE(url.ok()) << bad;
    if (!url.ok()) {
      EXPECT_FALSE(url.status().message().empty()) << bad;
    }
  }
}

TEST(UrlTest, EscapesPathSegments) {
  EXPECT_EQ(escape_path_segment("alice@corp.example"), "alice@corp.example");
  EXPECT_EQ(escape_path_segment("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(escape_path_segment("../keys"), "..%2Fkeys");
}

}  // namespace
}  // namespace gaia::cli
