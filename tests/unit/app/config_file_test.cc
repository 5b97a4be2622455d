#include "app/config_file.h"

#include <gtest/gtest.h>

#include "app/settings.h"

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

TEST(ConfigFileTest, AcceptsTheKeyOfEverySettingButTheFileAndTheSecrets) {
  for (const Setting& setting : setting_table()) {
    auto s = parse_config_file(std::string(setting.key) + " = x\n", "f");
    if (setting.reach == Reach::kEverywhere) {
      ASSERT_TRUE(s.ok()) << s.status().message();
      EXPECT_EQ(s.value(), (Settings{{std::string(setting.key), "x"}}));
    } else {
      EXPECT_FALSE(s.ok()) << setting.key;
    }
  }
}

TEST(ConfigFileTest, RejectsASecretPointingToItsVariable) {
  auto s = parse_config_file("admin_key = k\n", "config file g.conf");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "config file g.conf line 1: setting \"admin_key\" cannot be set in a file (use "
            "GAIA_ADMIN_KEY)");
  EXPECT_FALSE(parse_config_file("config = other.conf\n", "f").ok());
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
