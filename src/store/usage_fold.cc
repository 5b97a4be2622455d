#include "store/usage_fold.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>

#include "core/saturating_add.h"

namespace gaia::store {

std::vector<Usage> fold_usage(const std::vector<Usage>& deltas) {
  std::map<std::tuple<uint64_t, uint64_t, std::string, int64_t>, uint64_t> sums;
  for (const Usage& u : deltas) {
    uint64_t& sum = sums[{u.user_id, u.key_id, u.type, u.day_start_ms}];
    // Stored as a signed 64-bit integer: the sum stops there rather than wrapping.
    sum = std::min<uint64_t>(core::saturating_add(sum, u.used), INT64_MAX);
  }
  std::vector<Usage> folded;
  folded.reserve(sums.size());
  for (const auto& [key, used] : sums) {
    folded.push_back(
        {std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key), used});
  }
  return folded;
}

}  // namespace gaia::store
