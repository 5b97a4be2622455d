#pragma once
// Load throttling: maps CPU and memory load (percent) to a throttle factor in [0, 1] and the
// factor to an admission action. Pure: no I/O, no clock; the caller brings the load (from
// monitor::Sampler) and the tier. See docs/monitor.md.
//
// Bands. A table has ascending thresholds t0 < t1 < ... and one factor per band; load p is in
// band i = the number of thresholds <= p, so a threshold value belongs to the band ABOVE it.
// Default, CPU and memory alike:
//   p < 70 -> 1.0;  70 <= p < 80 -> 0.8;  80 <= p < 90 -> 0.6;  90 <= p < 95 -> 0.3;
//   p >= 95 -> 0.0.
// The factor is min(cpu factor, memory factor).
//
// Hysteresis. A band is entered upward at once, but left downward only when the load falls
// `margin_pct` below the threshold that led into it (default 2 points): at 80 % the factor
// drops to 0.6 and stays there until the load is below 78 %.
//
// Threads: ThrottleTable and LoadThrottle are values, one thread at a time; ThrottlePolicy is
// safe to call from any thread.
//
// Example:
//   ThrottlePolicy policy(ThrottleConfig{});
//   Admission a = policy.admit({.cpu_pct = 85, .mem_pct = 40}, Tier::kDefault);
//   // a.factor == 0.6, a.delay == 400ms

#include <chrono>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "core/tier.h"

namespace gaia::core {

// Load of the two watched resources, in percent of what this process may use. NaN (not yet
// known) counts as no load.
struct LoadLevels {
  double cpu_pct = 0;
  double mem_pct = 0;
};

// Thresholds (percent) and the factor of each band they delimit.
class ThrottleTable {
 public:
  // The default table above.
  ThrottleTable();

  // Fails, naming the offending entry, unless thresholds are finite and strictly ascending,
  // factors are in [0, 1] and factors.size() == thresholds.size() + 1.
  [[nodiscard]] static Result<ThrottleTable> make(std::vector<double> thresholds,
                                                  std::vector<double> factors);

  // The band of `pct`: the number of thresholds <= pct (0 .. thresholds().size()).
  int band_of(double pct) const;
  double factor_of_band(int band) const { return factors_[band]; }
  double factor_of(double pct) const { return factors_[band_of(pct)]; }

  const std::vector<double>& thresholds() const { return thresholds_; }
  const std::vector<double>& factors() const { return factors_; }

 private:
  ThrottleTable(std::vector<double> thresholds, std::vector<double> factors)
      : thresholds_(std::move(thresholds)), factors_(std::move(factors)) {}

  std::vector<double> thresholds_;
  std::vector<double> factors_;
};

// What to do with a request while 0 < factor < 1.
enum class SlowAction : uint8_t {
  kDelay,  // admit after (1 - factor) * base_delay
  kHold,   // keep it in the admission queue, which releases work at the reduced factor
};

// What to do with a request while factor == 0.
enum class StopAction : uint8_t {
  kWait,    // hold it in the queue for up to max_wait
  kRefuse,  // refuse it with Retry-After
};

struct ThrottleConfig {
  ThrottleTable cpu;
  ThrottleTable memory;
  double margin_pct = 2.0;  // hysteresis: how far below a threshold the load must fall
  std::chrono::milliseconds base_delay{1000};
  SlowAction slow_action = SlowAction::kDelay;
  StopAction stop_action = StopAction::kWait;
  std::chrono::milliseconds max_wait{30'000};
  std::chrono::seconds retry_after{5};
  // Enterprise requests are never delayed or held while the factor is above 0 (at 0 they
  // wait or are refused like any other, first in the queue).
  bool enterprise_exempt = true;
};

// OK, or the first invalid field by name: a negative or non-finite margin, a negative delay,
// wait or retry_after. (Tables are valid by construction.)
[[nodiscard]] Status validate(const ThrottleConfig& config);

// The current band of one resource, with hysteresis.
class BandTracker {
 public:
  // Moves to the band of `pct`: upward at once; downward only to the band of pct + margin,
  // i.e. band i is left downward only once pct < thresholds[i-1] - margin. Returns the band.
  int update(const ThrottleTable& table, double pct, double margin_pct);
  int band() const { return band_; }

 private:
  int band_ = 0;
};

// The throttle factor with hysteresis on both resources. One thread at a time.
class LoadThrottle {
 public:
  // REQUIRES: validate(config).ok().
  explicit LoadThrottle(ThrottleConfig config);

  // Feeds one load reading; returns the new factor.
  double update(const LoadLevels& load);
  // 1.0 until the first update.
  double factor() const;
  // Each resource's own factor (factor() is the lower of the two).
  double cpu_factor() const { return config_.cpu.factor_of_band(cpu_.band()); }
  double memory_factor() const { return config_.memory.factor_of_band(memory_.band()); }
  bool should_throttle() const { return factor() < 1.0; }
  const ThrottleConfig& config() const { return config_; }

 private:
  ThrottleConfig config_;
  BandTracker cpu_;
  BandTracker memory_;
};

// What admission control does with one request. Exactly one of: run now (no delay, no hold,
// no refuse), run after `delay`, hold in the queue (for at most `max_wait`), refuse (the
// client may retry after `retry_after`).
struct Admission {
  double factor = 1.0;
  std::chrono::milliseconds delay{0};
  bool hold = false;
  std::chrono::milliseconds max_wait{0};  // set when hold
  bool refuse = false;
  std::chrono::seconds retry_after{0};  // set when refuse

  bool immediate() const { return delay.count() == 0 && !hold && !refuse; }
};

// The admission decision of a given factor and tier; pure.
Admission admission_for(const ThrottleConfig& config, double factor, Tier tier);

// The factor with each resource's share in it, for answers that say why.
struct ThrottleState {
  double factor = 1.0;
  double cpu_factor = 1.0;
  double memory_factor = 1.0;
};

// LoadThrottle behind a lock plus the admission mapping. Thread-safe.
class ThrottlePolicy {
 public:
  // REQUIRES: validate(config).ok().
  explicit ThrottlePolicy(ThrottleConfig config);
  ThrottlePolicy(const ThrottlePolicy&) = delete;
  ThrottlePolicy& operator=(const ThrottlePolicy&) = delete;

  // Feeds `load` (the latest snapshot; feeding the same one again changes nothing) and
  // returns what to do with a request of `tier`.
  Admission admit(const LoadLevels& load, Tier tier);
  // Feeds `load` only; returns the factor.
  double observe(const LoadLevels& load);

  double factor() const;
  bool should_throttle() const { return factor() < 1.0; }
  // The factor and what sets it, read together.
  ThrottleState state() const;

 private:
  mutable Mutex mu_;
  LoadThrottle throttle_ GUARDED_BY(mu_);
};

}  // namespace gaia::core
