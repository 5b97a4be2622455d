#pragma once
// A Clock that moves only when a test says so. Threads under test may read it while the test
// moves it.

#include <atomic>

#include "core/clock.h"

namespace gaia::testing {

class ManualClock : public core::Clock {
 public:
  // Starts at 2026-01-05 00:00:00 UTC, a Monday, one hour of monotonic time in.
  ManualClock()
      : mono_(core::MonoTime(std::chrono::hours(1))),
        wall_(core::WallTime(std::chrono::seconds(1767571200))) {}

  core::MonoTime mono_now() const override { return mono_.load(); }
  core::WallTime wall_now() const override { return wall_.load(); }

  void advance(std::chrono::nanoseconds d) {
    mono_.store(mono_.load() + d);
    wall_.store(wall_.load() + d);
  }
  void set_wall(core::WallTime wall) { wall_.store(wall); }

 private:
  std::atomic<core::MonoTime> mono_;
  std::atomic<core::WallTime> wall_;
};

}  // namespace gaia::testing
