#pragma once
// The only way code learns the time: each main() makes the real one (app/system_clock.h) and
// hands it down; tests use a manual one. A request reads the clock once, passes the Instant down.

#include <chrono>

namespace gaia::core {

using MonoTime = std::chrono::time_point<std::chrono::steady_clock, std::chrono::nanoseconds>;
using WallTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// Both readings of one moment: monotonic time drives sliding windows and timeouts, wall time
// drives calendar quotas.
struct Instant {
  MonoTime mono;
  WallTime wall;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime mono_now() const = 0;
  virtual WallTime wall_now() const = 0;
  Instant now() const { return {mono_now(), wall_now()}; }
};

inline int64_t to_ms(MonoTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline int64_t to_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace gaia::core
