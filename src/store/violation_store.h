#pragma once
// ViolationStore: the store's role for refusals (which limit refused whom). record_violation
// is a request-path write, queued and group-committed; the rest is synchronous. Thread-safe.
//
// Refusals are stored as episodes, not one row each: the refusals of one (user, key, command
// type, deciding limit) within one second (the grain, episode_second()) are one row with their
// count, the first and last time, and a sample command. The write queue folds them before a
// commit (violation_fold.h), and a commit merges an episode into the stored row of its group
// and second, so a flood costs storage in proportion to principals x seconds.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// One refusal (count 1, as the request path records it) or an episode of `count` refusals of
// one group, from first_ms() to at_ms.
struct Violation {
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  std::string limit;    // the deciding limit, e.g. "calendar:day:500"
  std::string command;  // an episode's sample: the command of the refusal that started it
  int64_t at_ms = 0;    // the (last) refusal's time
  uint64_t count = 1;   // refusals
  int64_t span_ms = 0;  // from the first refusal to the last: 0 for one refusal

  int64_t first_ms() const { return at_ms - span_ms; }
};

// The second an episode belongs to, the grain of the fold: at_ms / 1000, truncated as SQL's
// integer division truncates, so that the store and the fold agree.
inline int64_t episode_second(const Violation& v) { return v.at_ms / 1000; }

// A stored episode with the id the store gave it (ids grow with the episodes' start).
struct ViolationRecord {
  uint64_t id = 0;
  Violation violation;
};

// Which episodes to list: every set field must match (times are the episodes' last refusal);
// newest first, at most `limit`, only ids below `before_id` when set (the cursor of the
// previous page).
struct ViolationFilter {
  std::optional<uint64_t> user_id = std::nullopt;
  std::optional<std::string> type = std::nullopt;
  std::optional<std::string> limit_name = std::nullopt;
  std::optional<int64_t> from_ms = std::nullopt;  // at_ms >= from_ms
  std::optional<int64_t> to_ms = std::nullopt;    // at_ms < to_ms
  std::optional<uint64_t> before_id = std::nullopt;
  size_t limit = 100;
};

class ViolationStore {
 public:
  virtual ~ViolationStore() = default;

  // Queued, folded into its episode; stored at the next group commit. `violation` may itself
  // be an episode (count > 1).
  virtual void record_violation(Violation violation) = 0;
  // Episodes whose last refusal is at or after `since_ms`, oldest first.
  virtual Result<std::vector<Violation>> violations_since(int64_t since_ms) = 0;
  virtual Result<std::vector<ViolationRecord>> list_violations(const ViolationFilter& filter) = 0;
  // Episodes whose last refusal is at or after `from_ms` and before `to_ms`, oldest first (by
  // that time), passed to `fn` one at a
  // time; read in pages so that memory stays bounded and other callers are not held up for
  // the whole scan. `fn` must not call the store. On failure the rows already passed stay
  // passed.
  virtual Status scan_violations(int64_t from_ms, int64_t to_ms,
                                 const std::function<void(const ViolationRecord&)>& fn) = 0;
  // Retention: deletes episodes whose last refusal is before `before_ms`; says how many.
  virtual Result<uint64_t> delete_violations_before(int64_t before_ms) = 0;
};

namespace detail {

// Passes every ViolationStore call to Base's forward_to<ViolationStore>() (see detail/roles.h).
template <class Base>
class ForwardViolationStore : public Base {
 public:
  using Base::Base;
  void record_violation(Violation violation) override {
    to().record_violation(std::move(violation));
  }
  Result<std::vector<Violation>> violations_since(int64_t since_ms) override {
    return to().violations_since(since_ms);
  }
  Result<std::vector<ViolationRecord>> list_violations(const ViolationFilter& filter) override {
    return to().list_violations(filter);
  }
  Status scan_violations(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const ViolationRecord&)>& fn) override {
    return to().scan_violations(from_ms, to_ms, fn);
  }
  Result<uint64_t> delete_violations_before(int64_t before_ms) override {
    return to().delete_violations_before(before_ms);
  }

 private:
  ViolationStore& to() { return this->template forward_to<ViolationStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
