#pragma once
// AggregateStore: the store's role for analytics aggregates (see analytics/aggregator.h): what
// happened in one time bucket for one (user, key, command type, outcome, limit). Outcomes:
// "admitted", "refused" (limit names the deciding limit, empty otherwise), "executed",
// "failed". Rows for the same bucket and dimensions may repeat (each flush appends what
// arrived since the last one): readers merge them. Sketches are analytics::Sketch encodings,
// bytes the store keeps as they are (binary, or text in rows of earlier versions); empty when
// there is no execution. Synchronous. Thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

enum class Granularity : uint8_t { kMinute = 0, kHour = 1, kDay = 2 };
std::string_view granularity_name(Granularity g);
std::optional<Granularity> parse_granularity(std::string_view name);

// One aggregate row, its strings and sketches of type `Bytes`: AggregateRow owns them;
// AggregateRowView views them where they are, valid only as long as that buffer (for rows
// passed by scan_aggregates, only during the call).
template <class Bytes>
struct BasicAggregateRow {
  Granularity granularity = Granularity::kMinute;
  int64_t bucket_start_ms = 0;
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  Bytes type;
  Bytes outcome;
  Bytes limit;
  uint64_t count = 0;
  uint64_t cost = 0;
  int64_t duration_ms_sum = 0;
  int64_t duration_ms_max = 0;
  int64_t cpu_ms_sum = 0;
  int64_t cpu_ms_max = 0;
  int64_t peak_memory_max = 0;  // bytes
  Bytes duration_sketch;
  Bytes cpu_sketch;
  Bytes memory_sketch;
};
using AggregateRow = BasicAggregateRow<std::string>;
using AggregateRowView = BasicAggregateRow<std::string_view>;

// `view` with its strings copied.
AggregateRow owned(const AggregateRowView& view);
// A view of `row`, valid while `row` is and unchanged.
AggregateRowView view_of(const AggregateRow& row);

// Which aggregate rows to read: one granularity, bucket_start_ms in [from_ms, to_ms), and
// every set field matching.
struct AggregateFilter {
  Granularity granularity = Granularity::kMinute;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::optional<uint64_t> user_id = std::nullopt;
  std::optional<std::string> type = std::nullopt;
  std::optional<std::string> outcome = std::nullopt;
};

// The rows replace_aggregates() removes: one granularity, bucket_start_ms in [from_ms, to_ms),
// and only these outcomes (every outcome when empty).
struct AggregateScope {
  Granularity granularity = Granularity::kMinute;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::vector<std::string> outcomes;
};

class AggregateStore {
 public:
  virtual ~AggregateStore() = default;

  // Appends `rows` in one transaction.
  virtual Status add_aggregates(const std::vector<AggregateRow>& rows) = 0;
  // Passes the rows that match `filter` to `fn`, in no set order, each a view into the
  // backend's row valid only during the call (so a report merges them without copying); `fn`
  // must not call the store. On failure the rows already passed stay passed.
  virtual Status scan_aggregates(const AggregateFilter& filter,
                                 const std::function<void(const AggregateRowView&)>& fn) = 0;
  // The same rows, copied.
  Result<std::vector<AggregateRow>> list_aggregates(const AggregateFilter& filter);
  // Deletes the rows of `scope` and inserts `rows` in one transaction (on failure nothing
  // changes).
  virtual Status replace_aggregates(const AggregateScope& scope,
                                    const std::vector<AggregateRow>& rows) = 0;
  // Retention: removes rows of granularity `g` whose bucket starts before `before_ms`; says
  // how many.
  virtual Result<uint64_t> delete_aggregates_before(Granularity g, int64_t before_ms) = 0;
};

namespace detail {

// Passes every AggregateStore call to Base's forward_to<AggregateStore>() (see detail/roles.h).
template <class Base>
class ForwardAggregateStore : public Base {
 public:
  using Base::Base;
  Status add_aggregates(const std::vector<AggregateRow>& rows) override {
    return to().add_aggregates(rows);
  }
  Status scan_aggregates(const AggregateFilter& filter,
                         const std::function<void(const AggregateRowView&)>& fn) override {
    return to().scan_aggregates(filter, fn);
  }
  Status replace_aggregates(const AggregateScope& scope,
                            const std::vector<AggregateRow>& rows) override {
    return to().replace_aggregates(scope, rows);
  }
  Result<uint64_t> delete_aggregates_before(Granularity g, int64_t before_ms) override {
    return to().delete_aggregates_before(g, before_ms);
  }

 private:
  AggregateStore& to() { return this->template forward_to<AggregateStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
