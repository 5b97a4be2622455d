#pragma once
// The wire form of the counters (counters.lua): the keys of a principal's counters, the
// FCALL arguments of a check built from its resolved policy, and the core::Decision read back
// from the reply. Pure functions, no I/O.
//
// Keys carry the user's hash tag, so all counters of a check sit in one slot:
//   gaia:{<user>}:r:<scope>:<type>:<window ms>   sliding window
//   gaia:{<user>}:c:<scope>:<type>:<day|week|month>   calendar quota
//   gaia:{<user>}:n:<scope>:<type>   concurrency leases
// where <scope> is u<user id> or k<key id> and <type> the command type's name ("*": all).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/redis/caller.h"
#include "core/limiter.h"
#include "core/policy.h"
#include "core/rule_set.h"

namespace gaia::cluster::redis {

std::string counter_key(const core::RuleSet& rules, const core::CompiledLimit& limit,
                        const core::Principal& principal);
// The concurrency counter a lease slot holds.
std::string lease_key(const core::RuleSet& rules, core::UserId user, const core::BlockKey& block);

struct CheckCall {
  const core::RuleSet* rules = nullptr;
  const core::Policy* policy = nullptr;  // resolved for `req`, non-empty
  core::CheckRequest req;
  int64_t wall_ms = 0;            // the node's wall time: picks the calendar periods it passes
  std::optional<int64_t> now_ms;  // Redis's time unless given (tests)
  uint64_t lease_id = 0;
  int64_t lease_ttl_ms = 0;
  int64_t concurrency_retry_after_ms = 0;
};

std::vector<std::string> check_argv(const CheckCall& call);

// The decision of a gaia_check reply, or nullopt when the reply is not one.
std::optional<core::Decision> read_decision(const Reply& reply, const CheckCall& call);

// FCALL gaia_peek (read-only) for `lines` (core::quota_limits of `principal`), the calendar
// periods those of the node's wall time `wall_ms`.
std::vector<std::string> peek_argv(const core::RuleSet& rules,
                                   const std::vector<core::QuotaLine>& lines,
                                   const core::Principal& principal, int64_t wall_ms,
                                   std::optional<int64_t> now_ms,
                                   int64_t concurrency_retry_after_ms);
// Fills the state of each of `lines` from a gaia_peek reply; false when the reply is not one.
bool read_peek(const Reply& reply, std::vector<core::QuotaLine>& lines);

// FCALL gaia_renew / gaia_release for the slots of `lease`.
std::vector<std::string> renew_argv(const core::RuleSet& rules, const core::Lease& lease,
                                    int64_t ttl_ms, std::optional<int64_t> now_ms);
std::vector<std::string> release_argv(const core::RuleSet& rules, const core::Lease& lease);

// FCALL gaia_restore: `req.cost` units used at wall time `at_ms`, for the calendar quotas
// whose current period (at `wall_ms`) contains it; nullopt when none does.
std::optional<std::vector<std::string>> restore_argv(const core::RuleSet& rules,
                                                     const core::Policy& policy,
                                                     const core::CheckRequest& req, int64_t at_ms,
                                                     int64_t wall_ms,
                                                     std::optional<int64_t> now_ms);

}  // namespace gaia::cluster::redis
