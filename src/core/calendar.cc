#include "core/calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <exception>
#include <string>

namespace gaia::core {
namespace {

using std::chrono::milliseconds;

int64_t to_utc_ms(const date::time_zone* zone, date::local_days day) {
  // A local midnight may be skipped or repeated by a DST change: the earliest instant at or
  // after the transition is the boundary.
  auto utc = zone->to_sys(date::local_time<milliseconds>(day), date::choose::earliest);
  return utc.time_since_epoch().count();
}

}  // namespace

Result<Calendar> Calendar::in_zone(std::string_view zone_name) {
  try {
    return Calendar(date::locate_zone(std::string(zone_name)));
  } catch (const std::exception& e) {
    return Status::invalid_argument("unknown time zone \"" + std::string(zone_name) + "\"");
  }
}

Calendar Calendar::utc() { return Calendar(date::locate_zone("UTC")); }

Period Calendar::period_at(CalendarPeriod period, int64_t t_ms) const {
  auto local = zone_->to_local(date::sys_time<milliseconds>(milliseconds(t_ms)));
  date::local_days today = date::floor<date::days>(local);
  date::local_days first;
  date::local_days next;
  switch (period) {
    case CalendarPeriod::kDay:
      first = today;
      next = today + date::days(1);
      break;
    case CalendarPeriod::kWeek: {
      // ISO weeks start on Monday: iso_encoding() is 1 for Monday ... 7 for Sunday.
      unsigned since_monday = date::weekday(today).iso_encoding() - 1;
      first = today - date::days(since_monday);
      next = first + date::days(7);
      break;
    }
    case CalendarPeriod::kMonth: {
      date::year_month_day ymd(today);
      date::year_month month_start = ymd.year() / ymd.month();
      first = date::local_days(month_start / 1);
      next = date::local_days((month_start + date::months(1)) / 1);
      break;
    }
  }
  return {to_utc_ms(zone_, first), to_utc_ms(zone_, next)};
}

}  // namespace gaia::core
