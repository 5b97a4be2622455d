#include "cli/format.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <sstream>

namespace gaia::cli {
namespace {

TEST(FormatTest, DurationsRoundUpToTheTwoLargestUnits) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(900), "1s");
  EXPECT_EQ(format_duration(61'000), "1m 1s");
  EXPECT_EQ(format_duration(47'100'000), "13h 5m");
  EXPECT_EQ(format_duration(90'000'000), "1d 1h");
  EXPECT_EQ(format_duration(3'600'000), "1h");
}

TEST(FormatTest, TablesPadEachColumnToItsWidestCell) {
  Table t({"POLICY", "USED"});
  t.add({"shell-day", "2/500"});
  t.add({"a", "1"});
  std::ostringstream out;
  t.print(out);
  EXPECT_EQ(out.str(),
            "POLICY     USED\n"
            "shell-day  2/500\n"
            "a          1\n");
}

TEST(FormatTest, AgesSayTheLargestWholeUnitBeforeOrAfterNow) {
  constexpr int64_t kNow = 1'767'571'200'000;
  EXPECT_EQ(format_age(kNow - 400, kNow), "just now");
  EXPECT_EQ(format_age(kNow - 42'000, kNow), "42 s ago");
  EXPECT_EQ(format_age(kNow - 3 * 60'000 - 5'000, kNow), "3 min ago");
  EXPECT_EQ(format_age(kNow - 5 * 3'600'000, kNow), "5 h ago");
  EXPECT_EQ(format_age(kNow - 86'400'000, kNow), "1 day ago");
  EXPECT_EQ(format_age(kNow - 2 * 86'400'000, kNow), "2 days ago");
  EXPECT_EQ(format_age(kNow + 4 * 60'000, kNow), "in 4 min");
}

TEST(FormatTest, TimesAreRfc3339InTheLocalZone) {
  const char* old = std::getenv("TZ");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("TZ", "Europe/Paris", 1);
  ::tzset();
  // 2026-01-05T00:00:00Z is 01:00 in Paris (winter, +01:00).
  EXPECT_EQ(format_local_time(1'767'571'200'000), "2026-01-05T01:00:00+01:00");
  EXPECT_EQ(format_when(1'767'571'200'000, 1'767'571'200'000 + 180'000),
            "2026-01-05T01:00:00+01:00 (3 min ago)");
  EXPECT_EQ(format_when(0, 1), "-");
  if (old != nullptr) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

}  // namespace
}  // namespace gaia::cli
