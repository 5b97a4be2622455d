#pragma once
// UsageStore: the store's role for quota usage per calendar day. add_usage is a request-path
// write, queued and group-committed; the rest is synchronous. Thread-safe.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// Units admitted for (user, key, type) on the local calendar day starting at day_start_ms.
// The store adds deltas up; restoring sums the days of each current period.
struct Usage {
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  int64_t day_start_ms = 0;
  uint64_t used = 0;
};

class UsageStore {
 public:
  virtual ~UsageStore() = default;

  // Queued; added to the day's row at the next group commit.
  virtual void add_usage(Usage delta) = 0;
  // The rows of the days starting at or after `day_start_ms`.
  virtual Result<std::vector<Usage>> usage_since(int64_t day_start_ms) = 0;
  // Deletes user `user_id`'s usage rows of the days starting at or after
  // `since_day_start_ms` (what a usage reset takes back); returns how many rows went. Usage
  // still queued is not affected: flush() first.
  virtual Result<uint64_t> delete_usage(uint64_t user_id, int64_t since_day_start_ms) = 0;
};

namespace detail {

// Passes every UsageStore call to Base's forward_to<UsageStore>() (see detail/roles.h).
template <class Base>
class ForwardUsageStore : public Base {
 public:
  using Base::Base;
  void add_usage(Usage delta) override { to().add_usage(std::move(delta)); }
  Result<std::vector<Usage>> usage_since(int64_t day_start_ms) override {
    return to().usage_since(day_start_ms);
  }
  Result<uint64_t> delete_usage(uint64_t user_id, int64_t since_day_start_ms) override {
    return to().delete_usage(user_id, since_day_start_ms);
  }

 private:
  UsageStore& to() { return this->template forward_to<UsageStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
