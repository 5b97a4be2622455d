#pragma once
// Reputation: a score per user in [0, 100] that falls with violations and denied commands,
// recovers with clean executions, and decays toward a baseline with a half-life; it scales
// the user's limits by a factor within configured bounds. Pure math: no I/O, no clock of its
// own; every call takes the time the caller read from its Clock. See docs/confirm.md.
//
// Decay: between events the distance to the baseline halves every half_life:
//   score(t) = baseline + (score(t0) - baseline) * 0.5^((t - t0) / half_life)
// so a bad score recovers and a good one fades when nothing happens. An event first decays
// the score to its time, then adds its weight (negative for violations and denials), then
// clamps to [0, 100]. A time earlier than the last event counts as no time passed.
//
// Factor: min_factor at score 0 (default 0.5), 1 at the baseline, max_factor at score 100
// (default 1.2), linear in between on each side. A user in good standing (no events, or
// decayed back) therefore gets exactly the limits the rules say.
//
// Threads: a value; one thread at a time (the owner serialises access per user).
//
// Example:
//   Reputation rep(ReputationConfig{}, clock.wall_now());
//   rep.record(ReputationEvent::kViolation, clock.wall_now());
//   double f = rep.factor(clock.wall_now());  // < 1

#include <chrono>
#include <cstddef>
#include <deque>

#include "core/clock.h"
#include "core/status.h"

namespace gaia::core {

enum class ReputationEvent : uint8_t { kViolation, kDenied, kClean };

struct ReputationConfig {
  double baseline = 70;
  double violation_weight = 10;  // points lost per violation
  double denied_weight = 5;      // points lost per denied command
  double clean_weight = 0.5;     // points gained per clean execution
  std::chrono::nanoseconds half_life = std::chrono::hours(24);
  double min_factor = 0.5;  // factor at score 0
  double max_factor = 1.2;  // factor at score 100
  size_t max_history = 32;  // events kept
};

// Fails, naming the field, unless baseline is in [0, 100], weights are finite and >= 0,
// half_life > 0, 0 <= min_factor <= 1 <= max_factor (finite) and max_history >= 1.
[[nodiscard]] Status validate(const ReputationConfig& config);

struct ReputationRecord {
  ReputationEvent event;
  WallTime at;
  double score_after;
};

class Reputation {
 public:
  // Starts at the baseline at `now`. REQUIRES: validate(config).ok().
  Reputation(const ReputationConfig& config, WallTime now);

  // Validates `config` first.
  [[nodiscard]] static Result<Reputation> make(const ReputationConfig& config, WallTime now);

  // A reputation saved earlier: `score` as of `at`, with its recent `history` (oldest first;
  // only the last max_history are kept). The score is clamped to [0, 100].
  // REQUIRES: validate(config).ok().
  static Reputation restore(const ReputationConfig& config, double score, WallTime at,
                            std::deque<ReputationRecord> history);

  // The score at `now`, decayed since the last event.
  double score(WallTime now) const;

  // The limit factor at `now`, in [min_factor, max_factor].
  double factor(WallTime now) const;

  // Applies one event at `now`; returns the new score.
  double record(ReputationEvent event, WallTime now);

  // The last max_history events, oldest first.
  const std::deque<ReputationRecord>& history() const { return history_; }

  const ReputationConfig& config() const { return config_; }

 private:
  ReputationConfig config_;
  double score_;  // at last_
  WallTime last_;
  std::deque<ReputationRecord> history_;
};

}  // namespace gaia::core
