#pragma once
// A validated, compiled set of rules: command types by id, and per (tier, type) the policy that
// follows from the tier's rules and the tier-scaled global default, plus per-user and per-key
// overrides. Resolution, slot by slot: user rule > tier rule > global default; a key's rules
// then add their limits beside those (a key narrows what its user may do, never widens it).
// No resolved policy ever holds more than kMaxLimitsPerPolicy limits: compile() refuses a
// rule set in which one could, naming the rule, rather than drop any limit.
// Immutable once compiled; shared by every thread through shared_ptr<const RuleSet>.

#include <boost/unordered/unordered_flat_map.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/policy.h"
#include "core/rule.h"
#include "core/status.h"

namespace gaia::core {

struct RuleSetOptions {
  std::vector<CommandType> command_types;
  Calendar calendar = Calendar::utc();
  TierScaling tiers;
};

class RuleSet {
 public:
  // Validates every rule; on failure names the field, e.g.
  // "rules[2].limits[0].window_ms: must be at least 1".
  static Result<std::shared_ptr<const RuleSet>> compile(std::vector<Rule> rules,
                                                        RuleSetOptions options);

  // The id of the live type `name`; a retired type is not found.
  std::optional<CommandTypeId> type_id(std::string_view name) const;
  const std::vector<CommandType>& command_types() const { return options_.command_types; }
  const std::vector<Rule>& rules() const { return rules_; }
  const Calendar& calendar() const { return options_.calendar; }
  // Unique in the process: what a thread remembers of a rule set is good while it is the same.
  uint64_t serial() const { return serial_; }
  const TierScaling& tiers() const { return options_.tiers; }

  // The policy for (principal, type), its rate and quota limits scaled by
  // principal.limit_scale. Returns the precompiled policy when the principal has no overrides
  // and full scale, else builds it in `scratch` and returns it.
  // REQUIRES: type < command_types().size().
  const Policy& resolve(const Principal& principal, CommandTypeId type, Policy& scratch) const {
    // The common case, inline: no override rules at all and the principal at full scale.
    const bool full_scale =
        principal.limit_scale == kFullScale ||
        (principal.tier == Tier::kEnterprise && principal.limit_scale > kFullScale);
    if (!has_overrides_ && full_scale) return base_[static_cast<int>(principal.tier)][type];
    return resolve_general(principal, type, scratch);
  }

  // The amount `limit`, one of resolve(principal, type, ...)'s, has before principal's
  // limit_scale: what the rules state. It stays put while reputation moves the scale, so the
  // RateLimit-Policy field's quota stays stable (draft-ietf-httpapi-ratelimit-headers).
  // REQUIRES: type < command_types().size().
  uint32_t stated_amount(const Principal& principal, CommandTypeId type,
                         const CompiledLimit& limit) const;

  // The policy name (core/limit_name.h) of `limit` when it is one of this set's, made once
  // at compile; else nullptr.
  const std::string* policy_name_of(const CompiledLimit& limit) const;

 private:
  RuleSet() = default;
  const Policy& resolve_general(const Principal& principal, CommandTypeId type,
                                Policy& scratch) const;
  const Policy& resolve_unscaled(const Principal& principal, CommandTypeId type,
                                 Policy& scratch) const;
  Status add(const Rule& rule, size_t index);
  Status build_base_policies();
  // Every principal's policy fits in a Policy; else names the rule that tipped it over.
  Status check_capacity(const std::vector<Rule>& rules) const;
  void name_limits();

  std::vector<Rule> rules_;
  RuleSetOptions options_;
  std::vector<CompiledLimit> global_;
  std::vector<CompiledLimit> tier_[kTierCount];
  boost::unordered_flat_map<UserId, std::vector<CompiledLimit>> user_;
  boost::unordered_flat_map<KeyId, std::vector<CompiledLimit>> key_;
  std::vector<Policy> base_[kTierCount];                           // indexed by CommandTypeId
  bool has_overrides_ = false;                                     // any user or key rule
  boost::unordered_flat_map<uint64_t, std::string> policy_names_;  // by policy_name_key
  uint64_t serial_ = 0;
};

// The built-in command types and global default quotas of the specification.
std::vector<CommandType> default_command_types();
std::vector<Rule> default_rules();

}  // namespace gaia::core
