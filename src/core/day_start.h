#pragma once
// DayStart: the start of today's local calendar day, cached until the day ends. Usage rows
// are kept per day, so every admission asks this. Thread-safe.

#include <cstdint>
#include <mutex>

#include "core/calendar.h"

namespace gaia::core {

class DayStart {
 public:
  // The start (ms since the epoch) of the local day of `calendar` that contains `wall_ms`.
  int64_t at(const Calendar& calendar, int64_t wall_ms) {
    std::lock_guard lock(mu_);
    if (!day_.contains(wall_ms)) day_ = calendar.period_at(CalendarPeriod::kDay, wall_ms);
    return day_.start_ms;
  }

 private:
  std::mutex mu_;
  Period day_;
};

}  // namespace gaia::core
