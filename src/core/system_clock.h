#pragma once
// SystemClock: the real Clock, reading std::chrono's steady and system clocks. The only code
// allowed to call *_clock::now(); gaia_server's and gaia's main() each make one and hand it
// down, tests use a manual one. Its own library (gaia_system_clock), so gaia_core stays free
// of real time. Stateless: any thread may call it.

#include "core/clock.h"

namespace gaia::core {

class SystemClock final : public Clock {
 public:
  MonoTime mono_now() const override;
  WallTime wall_now() const override;
};

}  // namespace gaia::core
