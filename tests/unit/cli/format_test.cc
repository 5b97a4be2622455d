#include "cli/format.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gaia::cli
