#pragma once
// What a check answers. A refusal is a value, not an error.

#include <array>
#include <cstdint>
#include <memory>

#include "core/counter.h"
#include "core/policy.h"

namespace gaia::core {

// One evaluated limit.
struct LimitState {
  CompiledLimit limit;
  uint32_t used = 0;           // after the check
  uint32_t remaining = 0;      // limit.amount - used, floored at 0
  int64_t reset_ms = 0;        // ms until the counter is back to zero (calendar: period end)
  int64_t retry_after_ms = 0;  // ms until this request's cost would fit; -1: never
};

// Room for up to N values, none constructed until set: a check fills few, if any, and
// zeroing every slot would cost as much as the check's own arithmetic.
template <class T, int N>
class Slots {
 public:
  Slots() {}  // NOLINT: leaves the slots unconstructed on purpose
  void set(int i, const T& value) { std::construct_at(&items_[i], value); }
  const T& operator[](int i) const { return items_[i]; }

 private:
  union {
    T items_[N];
  };
};

// Concurrency slots a check took; hand it back to Limiter::release when the command ends.
struct Lease {
  static constexpr int kMaxSlots = 4;
  UserId user = 0;
  uint64_t id = 0;  // names the lease in a shared backend; 0 in memory
  uint32_t cost = 0;
  int count = 0;
  std::array<BlockKey, kMaxSlots> blocks;  // the first `count`; each holds a concurrency count
};

struct Decision {
  static constexpr int kMaxShadow = 4;
  bool allowed = true;
  bool priority = false;  // enterprise: first in every queue
  // Refused: the limit that refused (the one that frees last). Allowed: the enforced limit
  // nearest exhaustion. Absent when no enforced limit applies.
  bool has_deciding = false;
  LimitState deciding;
  // Shadow limits that would have refused this request.
  int shadow_refusals = 0;
  Slots<LimitState, kMaxShadow> shadow;  // the first `shadow_refusals`
  // Admitted: the enforced calendar quotas the admission counted in that may owe a warning
  // (each at or past the lowest warning threshold it could have; a backend may list them all),
  // the deciding one among them, in the policy's order; at most kMaxCalendar. Quota warnings
  // are about each of them, not only the one nearest exhaustion.
  static constexpr int kMaxCalendar = 4;
  int calendar_count = 0;
  Slots<LimitState, kMaxCalendar> calendar;  // the first `calendar_count`
  Lease lease;
};

}  // namespace gaia::core
