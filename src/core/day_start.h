#pragma once
// DayStart: the start of today's local calendar day, cached until the day ends. Usage rows
// are kept per day, so every admission asks this. Thread-safe.

#include <cstdint>

#include "core/calendar.h"
#include "core/mutex.h"

namespace gaia::core {

class DayStart {
 public:
  // The start (ms since the epoch) of the local day of `calendar` that contains `wall_ms`.
  int64_t at(const Calendar& calendar, int64_t wall_ms) {
    core::MutexLock lock(mu_);
    if (!day_.contains(wall_ms)) day_ = calendar.period_at(CalendarPeriod::kDay, wall_ms);
    return day_.start_ms;
  }

 private:
  core::Mutex mu_;
  Period day_ GUARDED_BY(mu_);
};

}  // namespace gaia::core
