#include "core/throttle.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

namespace gaia::core {

namespace {

std::string num(double v) {
  std::string s = std::to_string(v);
  // Trim "70.000000" to "70", "0.500000" to "0.5".
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

}  // namespace

ThrottleTable::ThrottleTable()
    : thresholds_{70.0, 80.0, 90.0, 95.0}, factors_{1.0, 0.8, 0.6, 0.3, 0.0} {}

Result<ThrottleTable> ThrottleTable::make(std::vector<double> thresholds,
                                          std::vector<double> factors) {
  if (factors.size() != thresholds.size() + 1) {
    return Status::invalid_argument("factors: need one more factor than thresholds (" +
                                    std::to_string(thresholds.size() + 1) + "), got " +
                                    std::to_string(factors.size()));
  }
  for (size_t i = 0; i < thresholds.size(); ++i) {
    if (!std::isfinite(thresholds[i])) {
      return Status::invalid_argument("thresholds[" + std::to_string(i) + "]: not a number");
    }
    if (i > 0 && !(thresholds[i] > thresholds[i - 1])) {
      return Status::invalid_argument("thresholds[" + std::to_string(i) +
                                      "]: " + num(thresholds[i]) + " is not above " +
                                      num(thresholds[i - 1]) + " (must be ascending)");
    }
  }
  for (size_t i = 0; i < factors.size(); ++i) {
    if (!(factors[i] >= 0.0 && factors[i] <= 1.0)) {  // also rejects NaN
      return Status::invalid_argument("factors[" + std::to_string(i) + "]: " + num(factors[i]) +
                                      " is outside [0, 1]");
    }
  }
  return ThrottleTable(std::move(thresholds), std::move(factors));
}

int ThrottleTable::band_of(double pct) const {
  // upper_bound: thresholds <= pct are counted, so a threshold belongs to the band above it.
  // NaN compares false with everything, so it lands in band 0.
  if (std::isnan(pct)) return 0;
  return static_cast<int>(std::upper_bound(thresholds_.begin(), thresholds_.end(), pct) -
                          thresholds_.begin());
}

Status validate(const ThrottleConfig& config) {
  if (!(config.margin_pct >= 0.0) || !std::isfinite(config.margin_pct)) {
    return Status::invalid_argument("margin_pct: must be a finite number >= 0");
  }
  if (config.base_delay.count() < 0) return Status::invalid_argument("base_delay: negative");
  if (config.max_wait.count() < 0) return Status::invalid_argument("max_wait: negative");
  if (config.retry_after.count() < 0) return Status::invalid_argument("retry_after: negative");
  return Status();
}

int BandTracker::update(const ThrottleTable& table, double pct, double margin_pct) {
  const int raw = table.band_of(pct);
  if (raw >= band_) {
    band_ = raw;
  } else {
    // Stay in every band whose threshold is still within the margin: band_of(pct + margin)
    // counts the thresholds t with pct >= t - margin. Never above the current band.
    band_ = std::max(raw, std::min(band_, table.band_of(pct + margin_pct)));
  }
  return band_;
}

LoadThrottle::LoadThrottle(ThrottleConfig config) : config_(std::move(config)) {
  assert(validate(config_).ok());
}

double LoadThrottle::update(const LoadLevels& load) {
  cpu_.update(config_.cpu, load.cpu_pct, config_.margin_pct);
  memory_.update(config_.memory, load.mem_pct, config_.margin_pct);
  return factor();
}

double LoadThrottle::factor() const { return std::min(cpu_factor(), memory_factor()); }

Admission admission_for(const ThrottleConfig& config, double factor, Tier tier) {
  Admission a;
  a.factor = factor;
  if (factor >= 1.0) return a;
  if (factor <= 0.0) {
    if (config.stop_action == StopAction::kRefuse) {
      a.refuse = true;
      a.retry_after = config.retry_after;
    } else {
      a.hold = true;
      a.max_wait = config.max_wait;
    }
    return a;
  }
  if (tier == Tier::kEnterprise && config.enterprise_exempt) return a;
  if (config.slow_action == SlowAction::kHold) {
    a.hold = true;
    a.max_wait = config.max_wait;
    return a;
  }
  // Rounded to the millisecond: (1 - 0.8) * 1000 is 199.99999999999997 in doubles.
  a.delay = std::chrono::milliseconds(
      std::llround((1.0 - factor) * static_cast<double>(config.base_delay.count())));
  return a;
}

ThrottlePolicy::ThrottlePolicy(ThrottleConfig config) : throttle_(std::move(config)) {}

double ThrottlePolicy::observe(const LoadLevels& load) {
  core::MutexLock lock(mu_);
  return throttle_.update(load);
}

Admission ThrottlePolicy::admit(const LoadLevels& load, Tier tier) {
  MutexLock lock(mu_);
  const double factor = throttle_.update(load);
  return admission_for(throttle_.config(), factor, tier);
}

double ThrottlePolicy::factor() const {
  core::MutexLock lock(mu_);
  return throttle_.factor();
}

ThrottleState ThrottlePolicy::state() const {
  MutexLock lock(mu_);
  return {throttle_.factor(), throttle_.cpu_factor(), throttle_.memory_factor()};
}

}  // namespace gaia::core
