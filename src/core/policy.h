#pragma once
// The flat, resolved list of limits that apply to one (principal, command type): what a check
// evaluates. Built by RuleSet; fixed capacity, so resolving never allocates.

#include <array>
#include <cstdint>

#include "core/rule.h"

namespace gaia::core {

inline constexpr CommandTypeId kAnyType = 0xFFFF;
inline constexpr int kMaxLimitsPerPolicy = 16;

struct CompiledLimit {
  LimitKind kind = LimitKind::kRate;
  CalendarPeriod period = CalendarPeriod::kDay;
  Enforcement enforcement = Enforcement::kEnforce;
  SubjectKind level = SubjectKind::kGlobal;  // which rule level it came from
  CommandTypeId type = kAnyType;             // kAnyType: counts every type together
  // Its rule's outage policy. Sits in what would be padding.
  OutagePolicy outage = OutagePolicy::kDefault;
  uint32_t amount = 0;
  // Calendar quotas: the rule's warning thresholds, or kWarnFromTier first for the tier's.
  // Sits in what would be padding: the struct stays 32 bytes.
  WarnThresholds warn_pct{kWarnFromTier};
  int64_t window_ms = 0;  // kRate only
  uint64_t rule_id = 0;

  // Limits in the same slot override each other by subject level; other slots all apply.
  bool same_slot(const CompiledLimit& o) const {
    return kind == o.kind && period == o.period && window_ms == o.window_ms &&
           (type == kAnyType) == (o.type == kAnyType);
  }
  bool applies_to(CommandTypeId t) const { return type == kAnyType || type == t; }
};
static_assert(sizeof(CompiledLimit) == 32);

struct Policy {
  std::array<CompiledLimit, kMaxLimitsPerPolicy> limits;
  int size = 0;

  const CompiledLimit* begin() const { return limits.data(); }
  const CompiledLimit* end() const { return limits.data() + size; }
  // Adds `limit`; an enforced limit replaces an enforced one of the same slot.
  // Returns false when the policy is full.
  bool merge(const CompiledLimit& limit);
  // Adds `limit` beside every other, even one of the same slot (a key's limits: both count).
  // Returns false when the policy is full.
  bool append(const CompiledLimit& limit);
};

inline bool Policy::merge(const CompiledLimit& limit) {
  if (limit.enforcement == Enforcement::kEnforce) {
    for (int i = 0; i < size; ++i) {
      if (limits[i].enforcement == Enforcement::kEnforce && limits[i].same_slot(limit)) {
        limits[i] = limit;
        return true;
      }
    }
  }
  return append(limit);
}

inline bool Policy::append(const CompiledLimit& limit) {
  if (size == kMaxLimitsPerPolicy) return false;
  limits[size++] = limit;
  return true;
}

}  // namespace gaia::core
