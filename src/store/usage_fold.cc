#include "store/usage_fold.h"

#include <map>
#include <tuple>

namespace gaia::store {

std::vector<Usage> fold_usage(const std::vector<Usage>& deltas) {
  std::map<std::tuple<uint64_t, uint64_t, std::string, int64_t>, uint64_t> sums;
  for (const Usage& u : deltas) sums[{u.user_id, u.key_id, u.type, u.day_start_ms}] += u.used;
  std::vector<Usage> folded;
  folded.reserve(sums.size());
  for (const auto& [key, used] : sums) {
    folded.push_back(
        {std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key), used});
  }
  return folded;
}

}  // namespace gaia::store
