#include "http/url.h"

#include <gtest/gtest.h>

#include "core/redact_url.h"

namespace gaia::http {
namespace {

TEST(UrlTest, ParsesHostPortAndPath) {
  auto url = parse_url("http://gaia.example:9090/api-gw/");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "gaia.example");
  EXPECT_EQ(url->port, 9090);
  EXPECT_EQ(url->path, "/api-gw/");
  EXPECT_EQ(url->authority(), "gaia.example:9090");
  EXPECT_EQ(url->origin(), "http://gaia.example:9090");

  auto plain = parse_url("http://127.0.0.1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->path, "/");

  auto v6 = parse_url("http://[::1]:8080");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:8080");
}

TEST(UrlTest, TakesHttpsWithItsDefaultPortAndAQuery) {
  auto url = parse_url("https://hooks.example/alert?team=ops");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path, "/alert");
  EXPECT_EQ(url->query, "team=ops");
  EXPECT_EQ(url->text, "https://hooks.example/alert?team=ops");
}

TEST(UrlTest, RefusesWhatTheClientCannotSpeak) {
  for (const char* bad :
       {"ftp://x", "gaia.example:8080", "http://user@host", "http://host:0", "http://host:65536",
        "http://host:80x", "http://host/#top", "http://", "http://:80/x", "http://[::1"}) {
    auto url = parse_url(bad);
    EXPECT_EQ(url.status().code(), core::StatusCode::kInvalidArgument) << bad;
    if (!url.ok()) {
      EXPECT_NE(url.status().message().find(core::redacted_url(bad)), std::string::npos)
          << url.status().message();
    }
  }
}

TEST(UrlTest, ARefusedUrlIsToldWithoutItsSecrets) {
  for (const char* bad : {"http://user:hunter2@host/", "ftp://host/x?token=hunter2"}) {
    auto url = parse_url(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().message().find("hunter2"), std::string::npos) << url.status().message();
  }
}

TEST(UrlTest, EscapesPathSegments) {
  EXPECT_EQ(escape_path_segment("alice@corp.example"), "alice@corp.example");
  EXPECT_EQ(escape_path_segment("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(escape_path_segment("../keys"), "..%2Fkeys");
  EXPECT_EQ(escape_path_segment(".."), "%2E%2E");
}

TEST(UrlTest, PercentEncodesAllButLettersDigitsAndWhatIsKeptPlain) {
  EXPECT_EQ(percent_encode("2024-01-02T00:00 a&b", "-"), "2024-01-02T00%3A00%20a%26b");
  EXPECT_EQ(percent_encode("a,b~", ",~"), "a,b~");
}

}  // namespace
}  // namespace gaia::http
