#include "app/config_file.h"

#include <gtest/gtest.h>

namespace gaia::app {
namespace {

TEST(ConfigFileTest, ParsesKeyValueLinesIgnoringCommentsAndBlanks) {
  auto s = parse_config_file(
      "# gaia\n\nport = 9000\n  bind=127.0.0.2  \r\ntime_zone = \"Europe/Paris\"\n", "f");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s.value(),
            (Settings{{"port", "9000"}, {"bind", "127.0.0.2"}, {"time_zone", "Europe/Paris"}}));
}

TEST(ConfigFileTest, RejectsUnknownKeyNamingTheLine) {
  auto s = parse_config_file("port = 1\nprot = 2\n", "config file g.conf");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "config file g.conf line 2: unknown setting \"prot\"");
}

TEST(ConfigFileTest, RejectsLineWithoutEquals) {
  auto s = parse_config_file("port 1\n", "f");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("f line 1"), std::string::npos);
}

TEST(ConfigFileTest, ReportsUnreadableFile) {
  auto s = read_config_file("/nonexistent/gaia.conf");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent/gaia.conf"), std::string::npos);
}

}  // namespace
}  // namespace gaia::app
