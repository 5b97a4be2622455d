#pragma once
// Redis's clock, so that nodes whose clocks disagree still agree on windows: TIME answers
// [unix seconds, microseconds], both as strings.

#include <chrono>
#include <functional>

#include "cluster/redis/caller.h"
#include "core/clock.h"
#include "core/status.h"

namespace gaia::cluster::redis {

// TIME's reply as a wall time; InvalidArgument on any other reply.
[[nodiscard]] core::Result<core::WallTime> parse_time(const Reply& reply);

// Asks `caller`'s Redis for its time. `done` runs once, on an io thread, with the time or
// Unavailable (no reply by `deadline`, no connection, or not a TIME reply).
void redis_time(Caller& caller, std::chrono::milliseconds deadline,
                std::function<void(core::Result<core::WallTime>)> done);

}  // namespace gaia::cluster::redis
