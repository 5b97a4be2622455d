#include "store/violation_fold.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <utility>

#include "core/saturating_add.h"

namespace gaia::store {

size_t ViolationFold::GroupHash::operator()(const Group& g) const {
  // A multiplicative mix of the fields; the flat map mixes the result again.
  uint64_t h = g.user_id * 0x9E3779B97F4A7C15ull;
  h ^= g.key_id + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
  h ^= static_cast<uint64_t>(g.second) + 0x8CB92BA72F3D8DD7ull + (h << 6) + (h >> 2);
  h ^= std::hash<std::string_view>()(g.type) + (h << 6) + (h >> 2);
  h ^= std::hash<std::string_view>()(g.limit) + (h << 6) + (h >> 2);
  return static_cast<size_t>(h);
}

ViolationFold::Group ViolationFold::group_of(const Violation& v) {
  return {v.user_id, v.key_id, v.type, v.limit, episode_second(v)};
}

bool ViolationFold::join(const Violation& v) {
  auto it = index_.find(group_of(v));
  if (it == index_.end()) return false;
  merge_episode(episodes_[it->second], v);
  return true;
}

void ViolationFold::add(Violation v) {
  if (join(v)) return;
  episodes_.push_back(std::move(v));
  index_.emplace(group_of(episodes_.back()), episodes_.size() - 1);
}

std::vector<Violation> ViolationFold::take() {
  std::vector<Violation> out(std::make_move_iterator(episodes_.begin()),
                             std::make_move_iterator(episodes_.end()));
  index_.clear();  // before the strings its keys view go
  episodes_.clear();
  return out;
}

void merge_episode(Violation& into, const Violation& more) {
  const int64_t first = std::min(into.first_ms(), more.first_ms());
  into.at_ms = std::max(into.at_ms, more.at_ms);
  into.span_ms = into.at_ms - first;
  into.count = std::min<uint64_t>(core::saturating_add(into.count, more.count), INT64_MAX);
}

std::vector<Violation> fold_violations(const std::vector<Violation>& violations) {
  ViolationFold fold;
  for (const Violation& v : violations) fold.add(v);
  return fold.take();
}

}  // namespace gaia::store
