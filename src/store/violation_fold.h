#pragma once
// ViolationFold: refusals folded into episodes before they are stored, one per (user, key,
// command type, deciding limit, episode_second()): its count the sum of theirs, its span from
// the earliest to the latest, its sample command that of the refusal that started it. A
// flood of refusals costs one entry per principal and second, here and in the store.
//
// Not thread-safe: the write queue holds it under its lock.
//
// Example:
//   ViolationFold fold;
//   fold.add({1, 2, "shell", "rate:1s:5", "ls", 1'000});
//   fold.add({1, 2, "shell", "rate:1s:5", "make", 1'400});  // joins: count 2, span 400 ms
//   std::vector<Violation> episodes = fold.take();          // one, its command "ls"

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include "store/violation_store.h"

namespace gaia::store {

class ViolationFold {
 public:
  // Folds `v` (a refusal or an episode) into the episode of its group and second, if one is
  // held; false (and `v` unused) if none is.
  bool join(const Violation& v);
  // Folds `v` into the episode of its group and second, starting one with `v` if none is held.
  void add(Violation v);
  size_t size() const { return episodes_.size(); }
  bool empty() const { return episodes_.empty(); }
  // The episodes in the order they were started; leaves the fold empty.
  std::vector<Violation> take();

 private:
  // Views into the episode's own strings: a deque never moves what it holds.
  struct Group {
    uint64_t user_id;
    uint64_t key_id;
    std::string_view type;
    std::string_view limit;
    int64_t second;
    bool operator==(const Group&) const = default;
  };
  struct GroupHash {
    size_t operator()(const Group& g) const;
  };
  static Group group_of(const Violation& v);

  std::deque<Violation> episodes_;
  boost::unordered_flat_map<Group, size_t, GroupHash> index_;  // into episodes_
};

// Merges episode `more` into `into` of the same group and second: counts add (stopping at the
// largest signed 64-bit integer, as stored), the span covers both, `into` keeps its sample.
void merge_episode(Violation& into, const Violation& more);

// `violations` folded as ViolationFold folds them, in the order their episodes started.
std::vector<Violation> fold_violations(const std::vector<Violation>& violations);

}  // namespace gaia::store
