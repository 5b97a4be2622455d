#pragma once
// The real clock, for tests that run on real time: servers on loopback, their deadlines and
// Date headers.

#include "app/system_clock.h"

namespace gaia::testing {

inline const core::Clock& real_clock() {
  static const app::SystemClock clock;
  return clock;
}

}  // namespace gaia::testing
