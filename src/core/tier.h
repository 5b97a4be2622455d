#pragma once
// Service tiers. `premium` multiplies the global default quotas and rates by its factor,
// `enterprise` lifts them and has priority in every queue.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gaia::core {

enum class Tier : uint8_t { kDefault = 0, kPremium = 1, kEnterprise = 2 };
inline constexpr int kTierCount = 3;

inline std::string_view tier_name(Tier tier) {
  switch (tier) {
    case Tier::kDefault:
      return "default";
    case Tier::kPremium:
      return "premium";
    case Tier::kEnterprise:
      return "enterprise";
  }
  return "default";
}

inline std::optional<Tier> parse_tier(std::string_view name) {
  if (name == "default") return Tier::kDefault;
  if (name == "premium") return Tier::kPremium;
  if (name == "enterprise") return Tier::kEnterprise;
  return std::nullopt;
}

// How a tier scales the limits it inherits from the global default.
struct TierScaling {
  uint32_t premium_factor = 10;
  bool enterprise_unlimited = true;
};

}  // namespace gaia::core
