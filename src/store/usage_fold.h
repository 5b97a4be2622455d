#pragma once
// Usage deltas folded per (user, key, type, day) before a commit: many admissions of one day
// become one row update, whatever the backend.

#include <vector>

#include "store/store.h"

namespace gaia::store {

// One Usage per distinct (user_id, key_id, type, day_start_ms), its `used` the sum of the
// deltas; ordered by that key.
std::vector<Usage> fold_usage(const std::vector<Usage>& deltas);

}  // namespace gaia::store
