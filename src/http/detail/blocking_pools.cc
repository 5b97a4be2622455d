#include "http/detail/blocking_pools.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace gaia::http::detail {

BlockingPools::BlockingPools(const std::vector<BlockingPoolSpec>& specs) {
  for (const BlockingPoolSpec& spec : specs) {
    pools_.push_back(
        std::make_unique<Pool>(spec.limits.threads + spec.limits.max_queued, spec.limits.threads));
  }
}

BlockingPools::~BlockingPools() { join(); }

bool BlockingPools::try_post(std::size_t pool, std::function<void()> work) {
  Pool& p = *pools_[pool];
  if (p.taken.fetch_add(1, std::memory_order_acq_rel) >= p.capacity) {
    p.taken.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  boost::asio::post(p.threads, [&p, work = std::move(work)] {
    // Freed however `work` ends, so that a throwing handler never shrinks the pool for good.
    struct Release {
      Pool& p;
      ~Release() { p.taken.fetch_sub(1, std::memory_order_acq_rel); }
    } release{p};
    work();
  });
  return true;
}

void BlockingPools::join() {
  for (auto& p : pools_) p->threads.join();
}

}  // namespace gaia::http::detail
