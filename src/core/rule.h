#pragma once
// A quota rule as an admin writes it: who it applies to, which command type, and its limits.
// Rules are plain values; RuleSet::compile validates them and turns them into flat tables.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tier.h"

namespace gaia::core {

using UserId = uint64_t;
using KeyId = uint64_t;
using CommandTypeId = uint16_t;

// Limits scale by a factor in thousandths; kFullScale leaves them as the rules say.
inline constexpr uint16_t kFullScale = 1000;

// Who a check is for: the authenticated key, the user owning it and the user's tier, and the
// factor the user's reputation puts on their rate and quota limits (concurrency is never
// scaled; for enterprise, never above 1: the tier's own ceiling).
struct Principal {
  UserId user = 0;
  KeyId key = 0;
  Tier tier = Tier::kDefault;
  uint16_t limit_scale = kFullScale;
};

enum class SubjectKind : uint8_t { kGlobal = 0, kTier = 1, kUser = 2, kKey = 3 };

struct Subject {
  SubjectKind kind = SubjectKind::kGlobal;
  Tier tier = Tier::kDefault;  // kTier only
  uint64_t id = 0;             // kUser: user id; kKey: key id
};

enum class LimitKind : uint8_t { kRate = 0, kCalendar = 1, kConcurrency = 2 };
enum class CalendarPeriod : uint8_t { kDay = 0, kWeek = 1, kMonth = 2 };

inline const char* period_name(CalendarPeriod p) {
  switch (p) {
    case CalendarPeriod::kDay:
      return "day";
    case CalendarPeriod::kWeek:
      return "week";
    case CalendarPeriod::kMonth:
      return "month";
  }
  return "day";
}
enum class Enforcement : uint8_t { kEnforce = 0, kShadow = 1 };

// What a check under a rule does when the shared counters (Redis) do not answer in time:
// refuse (closed), admit (open), or count in the node's own memory with the limit divided by
// the live nodes (local). Ordered from the most lenient to the strictest, so that a check
// under several rules follows the strictest of theirs; kDefault: the node's own policy
// (GAIA_REDIS_FAILURE).
enum class OutagePolicy : uint8_t { kDefault = 0, kOpen = 1, kLocal = 2, kClosed = 3 };

struct LimitSpec {
  LimitKind kind = LimitKind::kRate;
  uint64_t amount = 0;                           // units per window or period, or slots
  std::chrono::milliseconds window{0};           // kRate only
  CalendarPeriod period = CalendarPeriod::kDay;  // kCalendar only

  static LimitSpec rate(uint64_t amount, std::chrono::milliseconds window) {
    return {LimitKind::kRate, amount, window, CalendarPeriod::kDay};
  }
  static LimitSpec calendar(uint64_t amount, CalendarPeriod period) {
    return {LimitKind::kCalendar, amount, std::chrono::milliseconds{0}, period};
  }
  static LimitSpec concurrency(uint64_t slots) {
    return {LimitKind::kConcurrency, slots, std::chrono::milliseconds{0}, CalendarPeriod::kDay};
  }
};

// A calendar quota warns its user when an admission takes it past one of these shares of the
// limit (percent, ascending, at most kMaxWarnThresholds). A rule may set its own; without, its
// limits warn at the thresholds of the caller's tier (default kDefaultWarnPct).
inline constexpr int kMaxWarnThresholds = 4;
using WarnThresholds = std::array<uint8_t, kMaxWarnThresholds>;  // ascending, 0 ends them
inline constexpr WarnThresholds kDefaultWarnPct = {80, 95, 0, 0};
inline constexpr uint8_t kWarnFromTier = 0xFF;  // as a first threshold: the tier's apply

struct Rule {
  uint64_t id = 0;
  std::string name;
  Subject subject;
  std::optional<std::string> command_type;  // nullopt: every type, counted together
  std::vector<LimitSpec> limits;
  Enforcement enforcement = Enforcement::kEnforce;
  std::optional<std::vector<uint8_t>> warn_at_pct;  // empty: never warns; nullopt: the tier's
  OutagePolicy outage = OutagePolicy::kDefault;
};

// A command type and what one run of it is estimated to cost. A retired type (one an admin
// removed) keeps its place, and so the ids of the types after it, which counters are keyed
// by; no name finds it and no check or rule may use it.
struct CommandType {
  std::string name;
  double est_cpu_percent = 0;
  uint64_t est_memory_bytes = 0;
  bool retired = false;
};

}  // namespace gaia::core
