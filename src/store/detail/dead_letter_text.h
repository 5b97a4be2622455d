#pragma once
// The one write of a batch the database refused, as the dead letter that keeps it: its kind
// and its fields as `name=value` text, every outside value escaped (core/log_escape.h) so the
// letter itself is text any database takes. Pure; any thread.

#include <cstdint>

#include "store/store.h"

namespace gaia::store::detail {

// REQUIRES: `single` holds exactly one write.
DeadLetter dead_letter_of(const WriteBatch& single, const Status& refusal, int64_t at_ms);

}  // namespace gaia::store::detail
