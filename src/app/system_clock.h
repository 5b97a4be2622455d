#pragma once
// SystemClock: the real Clock, reading std::chrono's steady and system clocks. The only code
// allowed to call *_clock::now(); gaia_server's and gaia's main() each make one and hand it
// down, tests use a manual one. Its own library (gaia_system_clock), so no other module reads
// real time. Stateless: any thread may call it.

#include "core/clock.h"

namespace gaia::app {

class SystemClock final : public core::Clock {
 public:
  core::MonoTime mono_now() const override;
  core::WallTime wall_now() const override;
};

}  // namespace gaia::app
