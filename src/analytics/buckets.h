#pragma once
// Buckets: where the minute, hour and day buckets of the aggregates start and end. Minutes
// are whole UTC minutes; days are the calendar days of the configured time zone (so a DST
// change makes a 23- or 25-hour day); hours are counted from the local midnight, so every
// day is a whole number of hours and every hour a whole number of minutes, in any zone
// (including those offset by 30 or 45 minutes).
//
// Immutable; any thread may call it.

#include <cstdint>

#include "core/calendar.h"
#include "store/store.h"

namespace gaia::analytics {

inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 86'400'000;

class Buckets {
 public:
  explicit Buckets(core::Calendar calendar) : calendar_(calendar) {}

  // The bucket of granularity `g` that contains `t_ms`, as [start_ms, end_ms).
  core::Period at(store::Granularity g, int64_t t_ms) const;
  int64_t start(store::Granularity g, int64_t t_ms) const { return at(g, t_ms).start_ms; }

  const core::Calendar& calendar() const { return calendar_; }

 private:
  core::Calendar calendar_;
};

}  // namespace gaia::analytics
