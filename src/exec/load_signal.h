#pragma once
// LoadSignal: what load throttling does to one caller of the admission check, and why. The
// check asks on every request, so the common case (factor 1) must cost no more than an atomic
// read; the figures are gathered only while the machine is loaded. See docs/monitor.md.
//
// Threads: throttle() from any thread.

#include <chrono>
#include <optional>

#include "core/throttle.h"
#include "core/tier.h"

namespace gaia::exec {

// The throttle a caller is under: the admission (a delay below factor 1; at 0 a hold with its
// maximum wait or a refusal with Retry-After) and the load behind it.
struct ThrottleNotice {
  core::Admission admission;
  core::ThrottleState state;  // the factor of CPU and of memory: the lower one sets the pace
  double cpu_pct = 0;         // smoothed, of what this process may use
  double mem_pct = 0;
  // Pressure stall information, "some" over 10 s, where the kernel reports it.
  std::optional<double> cpu_pressure_pct;
  std::optional<double> memory_pressure_pct;
  // While held at factor 0: how long to wait before asking again.
  std::chrono::milliseconds recheck{1000};
};

class LoadSignal {
 public:
  virtual ~LoadSignal() = default;
  // nullopt while the factor is 1, or above 0 for an exempt tier (enterprise): the caller
  // proceeds untouched. Otherwise what to do and why.
  virtual std::optional<ThrottleNotice> throttle(core::Tier tier) const = 0;
};

}  // namespace gaia::exec
