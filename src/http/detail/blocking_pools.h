#pragma once
// BlockingPools: the server's pools for blocking routes, one per BlockingPoolSpec of the
// router, each with its own threads and a bounded queue. try_post() never waits: work past a
// pool's bound is refused, so that a flood of one class of work neither delays another nor
// piles up without end.
//
// Threads: try_post() from any thread; join() once, from the controlling thread.

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "http/router.h"

namespace gaia::http::detail {

class BlockingPools {
 public:
  explicit BlockingPools(const std::vector<BlockingPoolSpec>& specs);
  ~BlockingPools();
  BlockingPools(const BlockingPools&) = delete;
  BlockingPools& operator=(const BlockingPools&) = delete;

  // Runs `work` on pool number `pool` and returns true, or returns false (dropping `work`)
  // when that pool already has limits.threads + limits.max_queued pieces of work taken and
  // not yet finished. REQUIRES: `pool` < the number of specs.
  bool try_post(std::size_t pool, std::function<void()> work);

  // Waits for every piece of work taken to finish.
  void join();

 private:
  struct Pool {
    Pool(std::size_t capacity_, unsigned threads) : capacity(capacity_), threads(threads) {}
    const std::size_t capacity;
    // Taken and not yet finished (waiting or running); reserved before posting, so that
    // concurrent callers never pass the bound together.
    std::atomic<std::size_t> taken = 0;
    boost::asio::thread_pool threads;
  };
  std::vector<std::unique_ptr<Pool>> pools_;
};

}  // namespace gaia::http::detail
