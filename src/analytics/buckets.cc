#include "analytics/buckets.h"

#include <algorithm>

namespace gaia::analytics {
namespace {

int64_t floor_to(int64_t t, int64_t unit) {
  int64_t q = t / unit;
  if (t % unit < 0) --q;
  return q * unit;
}

}  // namespace

core::Period Buckets::at(store::Granularity g, int64_t t_ms) const {
  switch (g) {
    case store::Granularity::kMinute: {
      const int64_t start = floor_to(t_ms, kMinuteMs);
      return {start, start + kMinuteMs};
    }
    case store::Granularity::kHour: {
      const core::Period day = calendar_.period_at(core::CalendarPeriod::kDay, t_ms);
      const int64_t start = day.start_ms + floor_to(t_ms - day.start_ms, kHourMs);
      return {start, std::min(start + kHourMs, day.end_ms)};
    }
    case store::Granularity::kDay:
      return calendar_.period_at(core::CalendarPeriod::kDay, t_ms);
  }
  return {t_ms, t_ms + 1};
}

}  // namespace gaia::analytics
