#pragma once
// SystemClock: the real core::Clock, reading std::chrono's steady and system clocks. The only
// code allowed to call *_clock::now(). Stateless: any thread may call it.

#include "core/clock.h"

namespace gaia::app {

class SystemClock final : public core::Clock {
 public:
  core::MonoTime mono_now() const override;
  core::WallTime wall_now() const override;
};

}  // namespace gaia::app
