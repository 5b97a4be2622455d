#pragma once
// A Clock that moves only when a test says so.

#include "core/clock.h"

namespace gaia::testing {

class ManualClock : public core::Clock {
 public:
  // Starts at 2026-01-05 00:00:00 UTC, a Monday, one hour of monotonic time in.
  ManualClock() : mono_(std::chrono::hours(1)), wall_(std::chrono::seconds(1767571200)) {}

  core::MonoTime mono_now() const override { return mono_; }
  core::WallTime wall_now() const override { return wall_; }

  void advance(std::chrono::nanoseconds d) {
    mono_ += d;
    wall_ += d;
  }
  void set_wall(core::WallTime wall) { wall_ = wall; }

 private:
  core::MonoTime mono_;
  core::WallTime wall_;
};

}  // namespace gaia::testing
