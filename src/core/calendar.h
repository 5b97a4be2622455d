#pragma once
// Calendar periods (day, ISO week, month) in one time zone, as half-open wall-time ranges.
// Boundaries are local midnights converted to UTC, so a DST change yields a 23- or 25-hour day.
// Immutable after construction; any thread may call it.

#include <cstdint>
#include <string_view>

#include "core/rule.h"
#include "core/status.h"

namespace date {
class time_zone;
}

namespace gaia::core {

struct Period {
  int64_t start_ms = 0;  // wall time, ms since the Unix epoch
  int64_t end_ms = 0;    // exclusive
  bool contains(int64_t t_ms) const { return start_ms <= t_ms && t_ms < end_ms; }
};

class Calendar {
 public:
  // Looks the zone up in the system's time zone database (an IANA name such as
  // "Europe/Berlin"). Done once, at configuration time.
  static Result<Calendar> in_zone(std::string_view zone_name);
  static Calendar utc();

  // The period of kind `period` that contains wall time `t_ms`.
  Period period_at(CalendarPeriod period, int64_t t_ms) const;

 private:
  explicit Calendar(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;  // owned by the process-wide tz database; never null
};

}  // namespace gaia::core
