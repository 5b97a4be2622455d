#pragma once
// Aggregator: keeps the analytics aggregates of the last moments in memory as events arrive
// (a store::StoreListener on the EventFeed), per UTC minute and (user, key, command type,
// outcome, limit): admitted units from usage, refusals from violations, executions with
// their duration, CPU time and peak memory. drain() hands what arrived since the last drain
// to the caller as minute rows (analytics/rollup.h writes them to the store).
//
// Request path: an event hashes its user to one of `shards` shards and updates one entry of
// that shard's flat table under the shard's lock: no I/O, and no allocation once the entry
// of its minute exists (a new minute or a new combination allocates once). Executions are
// counted in the minute they started, as rebuilding from the executions table does.
//
// Threads: every method from any thread.

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "analytics/interner.h"
#include "analytics/totals.h"
#include "core/mutex.h"
#include "store/event_feed.h"

namespace gaia::analytics {

class Aggregator final : public store::StoreListener {
 public:
  explicit Aggregator(size_t shards = 16);

  void on_usage(const store::Usage& delta, int64_t at_ms) override;
  void on_violation(const store::Violation& violation) override;
  void on_execution(const store::Execution& execution) override;

  // What arrived since the last drain, as minute rows (repeats merged); memory is then empty.
  std::vector<store::AggregateRow> drain();

 private:
  struct Key {
    int64_t minute_ms;
    uint64_t user_id;
    uint64_t key_id;
    uint32_t type;
    uint32_t limit;
    uint8_t outcome;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  using Table = boost::unordered_flat_map<Key, Totals, KeyHash>;
  struct alignas(64) Shard {
    core::Mutex mu;
    Table table GUARDED_BY(mu);
  };

  Shard& shard_for(uint64_t user_id) { return shards_[user_id % shards_.size()]; }
  Totals& entry(Shard& shard, const Key& key) REQUIRES(shard.mu);

  Interner strings_;
  std::vector<Shard> shards_;
};

}  // namespace gaia::analytics
