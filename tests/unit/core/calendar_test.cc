#include "core/calendar.h"

#include <gtest/gtest.h>

namespace gaia::core {
namespace {

// Wall ms of a UTC date-time.
int64_t utc_ms(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = static_cast<int>(m) - 1;
  tm.tm_mday = static_cast<int>(d);
  tm.tm_hour = hh;
  tm.tm_min = mm;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

Calendar zone(const char* name) {
  auto cal = Calendar::in_zone(name);
  EXPECT_TRUE(cal.ok()) << cal.status().message();
  return cal.value();
}

TEST(CalendarTest, DayStartsAtLocalMidnightInANonUtcZone) {
  Calendar berlin = zone("Europe/Berlin");  // UTC+1 in January
  Period day = berlin.period_at(CalendarPeriod::kDay, utc_ms(2026, 1, 10, 22, 59));
  EXPECT_EQ(day.start_ms, utc_ms(2026, 1, 9, 23));
  EXPECT_EQ(day.end_ms, utc_ms(2026, 1, 10, 23));
  Period next = berlin.period_at(CalendarPeriod::kDay, utc_ms(2026, 1, 10, 23));
  EXPECT_EQ(next.start_ms, day.end_ms);
}

TEST(CalendarTest, SpringForwardDayLastsTwentyThreeHours) {
  Calendar berlin = zone("Europe/Berlin");  // clocks go 02:00 -> 03:00 on 2026-03-29
  Period day = berlin.period_at(CalendarPeriod::kDay, utc_ms(2026, 3, 29, 12));
  EXPECT_EQ(day.start_ms, utc_ms(2026, 3, 28, 23));
  EXPECT_EQ(day.end_ms, utc_ms(2026, 3, 29, 22));
  EXPECT_EQ(day.end_ms - day.start_ms, 23 * 3600 * 1000);
}

TEST(CalendarTest, FallBackDayLastsTwentyFiveHours) {
  Calendar new_york = zone("America/New_York");  // 2026-11-01 02:00 EDT -> 01:00 EST
  Period day = new_york.period_at(CalendarPeriod::kDay, utc_ms(2026, 11, 1, 12));
  EXPECT_EQ(day.start_ms, utc_ms(2026, 11, 1, 4));
  EXPECT_EQ(day.end_ms, utc_ms(2026, 11, 2, 5));
}

TEST(CalendarTest, IsoWeekStartsOnMonday) {
  Calendar utc = Calendar::utc();
  // 2026-01-04 is a Sunday: still the week that began Monday 2025-12-29 (ISO week 1 of 2026).
  Period sunday = utc.period_at(CalendarPeriod::kWeek, utc_ms(2026, 1, 4, 23, 59));
  EXPECT_EQ(sunday.start_ms, utc_ms(2025, 12, 29));
  EXPECT_EQ(sunday.end_ms, utc_ms(2026, 1, 5));
  Period monday = utc.period_at(CalendarPeriod::kWeek, utc_ms(2026, 1, 5));
  EXPECT_EQ(monday.start_ms, utc_ms(2026, 1, 5));
}

TEST(CalendarTest, MonthEndsAtTheFirstOfTheNextMonth) {
  Calendar utc = Calendar::utc();
  Period dec = utc.period_at(CalendarPeriod::kMonth, utc_ms(2026, 12, 31, 23, 59));
  EXPECT_EQ(dec.start_ms, utc_ms(2026, 12, 1));
  EXPECT_EQ(dec.end_ms, utc_ms(2027, 1, 1));
}

TEST(CalendarTest, LeapDayBelongsToFebruary) {
  Calendar utc = Calendar::utc();
  Period feb = utc.period_at(CalendarPeriod::kMonth, utc_ms(2028, 2, 29, 12));
  EXPECT_EQ(feb.start_ms, utc_ms(2028, 2, 1));
  EXPECT_EQ(feb.end_ms, utc_ms(2028, 3, 1));
  Period day = utc.period_at(CalendarPeriod::kDay, utc_ms(2028, 2, 29, 12));
  EXPECT_EQ(day.end_ms, utc_ms(2028, 3, 1));
}

TEST(CalendarTest, UnknownZoneIsRefused) {
  auto cal = Calendar::in_zone("Mars/Olympus_Mons");
  ASSERT_FALSE(cal.ok());
  EXPECT_NE(cal.status().message().find("Mars/Olympus_Mons"), std::string::npos);
}

}  // namespace
}  // namespace gaia::core
