#pragma once
// RefusalNote: the checks Redis refused until a known time, so that a node answers a repeat
// of them itself until then and spares Redis the round trip.
//
// It never admits anything, and it refuses only what Redis would refuse: a note is taken only
// when the deciding limit is a window or a calendar quota, whose room grows back with time
// alone, and it lasts until the moment that limit frees as counted from when the node asked
// (Redis decided later, so it frees no sooner), at most `max_ms`. A noted answer names that
// limit with its wait counted down; if meanwhile another limit became the one that frees last
// (another check took the last concurrency slot), the Retry-After is the shorter one, and a
// client that comes back then is refused again. A new rule set voids every note; a usage
// reset on another node can leave a note standing until it lapses.
// Threads: any thread.

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/decision.h"
#include "core/limiter.h"
#include "core/mutex.h"
#include "core/rule_set.h"

namespace gaia::cluster::redis {

class RefusalNote {
 public:
  RefusalNote(size_t capacity, int64_t max_ms) : capacity_(capacity), max_ms_(max_ms) {}

  // The refusal noted for `req` under `rules`, its waits counted down to `mono_ms`; nullopt
  // when none is in force.
  std::optional<core::Decision> find(const core::CheckRequest& req, const core::RuleSet* rules,
                                     int64_t mono_ms);
  // Notes `refusal` of `req`, asked at `asked_mono_ms` under `rules`, if it may be noted.
  void note(const core::CheckRequest& req, std::shared_ptr<const core::RuleSet> rules,
            const core::Decision& refusal, int64_t asked_mono_ms);

 private:
  struct Key {
    core::UserId user;
    core::KeyId key;
    core::Tier tier;
    uint16_t limit_scale;
    core::CommandTypeId type;
    uint32_t cost;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    std::shared_ptr<const core::RuleSet> rules;
    int64_t asked_ms = 0;
    int64_t until_ms = 0;
    core::Decision decision;
  };
  static Key key_of(const core::CheckRequest& req);

  const size_t capacity_;
  const int64_t max_ms_;
  core::Mutex mu_;
  boost::unordered_flat_map<Key, Entry, KeyHash> notes_ GUARDED_BY(mu_);
};

}  // namespace gaia::cluster::redis
