#include "exec/lease_keeper.h"

#include <utility>
#include <vector>

namespace gaia::exec {

LeaseKeeper::Held::Held(Held&& other) noexcept
    : keeper_(std::exchange(other.keeper_, nullptr)), token_(std::exchange(other.token_, 0)) {}

LeaseKeeper::Held& LeaseKeeper::Held::operator=(Held&& other) noexcept {
  if (this != &other) {
    release();
    keeper_ = std::exchange(other.keeper_, nullptr);
    token_ = std::exchange(other.token_, 0);
  }
  return *this;
}

void LeaseKeeper::Held::release() {
  if (keeper_ == nullptr) return;
  std::exchange(keeper_, nullptr)->give_back(token_);
}

LeaseKeeper::Held LeaseKeeper::hold(const core::Lease& lease) {
  if (lease.count == 0) return {};
  core::MutexLock lock(mu_);
  const uint64_t token = ++next_token_;
  leases_.emplace(token, lease);
  return Held(this, token);
}

void LeaseKeeper::give_back(uint64_t token) {
  core::Lease lease;
  {
    core::MutexLock lock(mu_);
    auto it = leases_.find(token);
    if (it == leases_.end()) return;
    lease = it->second;
    leases_.erase(it);
  }
  counters_.release(lease);
}

void LeaseKeeper::renew_all() {
  // Copied out: the counters are asked without the lock, which hold() and releases take.
  std::vector<core::Lease> leases;
  {
    core::MutexLock lock(mu_);
    leases.reserve(leases_.size());
    for (const auto& [token, lease] : leases_) leases.push_back(lease);
  }
  const core::Instant now = clock_.now();
  for (const core::Lease& lease : leases) counters_.renew(lease, now);
}

size_t LeaseKeeper::held() const {
  core::MutexLock lock(mu_);
  return leases_.size();
}

}  // namespace gaia::exec
