#include "core/reputation.h"

#include <algorithm>
#include <cmath>

namespace gaia::core {
namespace {

bool finite_non_negative(double v) { return std::isfinite(v) && v >= 0; }

}  // namespace

Status validate(const ReputationConfig& c) {
  if (!std::isfinite(c.baseline) || c.baseline < 0 || c.baseline > 100) {
    return Status::invalid_argument("baseline: must be between 0 and 100");
  }
  if (!finite_non_negative(c.violation_weight)) {
    return Status::invalid_argument("violation_weight: must be a number >= 0");
  }
  if (!finite_non_negative(c.denied_weight)) {
    return Status::invalid_argument("denied_weight: must be a number >= 0");
  }
  if (!finite_non_negative(c.clean_weight)) {
    return Status::invalid_argument("clean_weight: must be a number >= 0");
  }
  if (c.half_life <= std::chrono::nanoseconds::zero()) {
    return Status::invalid_argument("half_life: must be positive");
  }
  if (!finite_non_negative(c.min_factor) || c.min_factor > 1) {
    return Status::invalid_argument("min_factor: must be a number in [0, 1]");
  }
  if (!std::isfinite(c.max_factor) || c.max_factor < 1) {
    return Status::invalid_argument("max_factor: must be a number >= 1");
  }
  if (c.max_history == 0) return Status::invalid_argument("max_history: must be at least 1");
  return Status();
}

Reputation::Reputation(const ReputationConfig& config, WallTime now)
    : config_(config), score_(config.baseline), last_(now) {}

Result<Reputation> Reputation::make(const ReputationConfig& config, WallTime now) {
  if (Status s = validate(config); !s.ok()) return s;
  return Reputation(config, now);
}

Reputation Reputation::restore(const ReputationConfig& config, double score, WallTime at,
                               std::deque<ReputationRecord> history) {
  Reputation r(config, at);
  r.score_ = std::isfinite(score) ? std::clamp(score, 0.0, 100.0) : config.baseline;
  r.history_ = std::move(history);
  while (r.history_.size() > config.max_history) r.history_.pop_front();
  return r;
}

double Reputation::score(WallTime now) const {
  if (now <= last_) return score_;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  double half = std::chrono::duration<double>(config_.half_life).count();
  return config_.baseline + (score_ - config_.baseline) * std::exp2(-elapsed / half);
}

double Reputation::factor(WallTime now) const {
  const double s = score(now);
  const double b = config_.baseline;
  if (s < b) return config_.min_factor + (1 - config_.min_factor) * s / b;
  if (s > b) return 1 + (config_.max_factor - 1) * (s - b) / (100 - b);
  return 1;
}

double Reputation::record(ReputationEvent event, WallTime now) {
  double s = score(now);
  switch (event) {
    case ReputationEvent::kViolation:
      s -= config_.violation_weight;
      break;
    case ReputationEvent::kDenied:
      s -= config_.denied_weight;
      break;
    case ReputationEvent::kClean:
      s += config_.clean_weight;
      break;
  }
  score_ = std::clamp(s, 0.0, 100.0);
  last_ = std::max(last_, now);
  history_.push_back({event, now, score_});
  while (history_.size() > config_.max_history) history_.pop_front();
  return score_;
}

}  // namespace gaia::core
