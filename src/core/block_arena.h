#pragma once
// Storage for the limiter's counter blocks: fixed addresses, handed out from 12 KiB chunks
// in order of creation, and reused once freed. The limiter's tables index blocks by pointer,
// so a table can rehash without moving a block, and blocks created together sit together.
// Thread-safe.

#include <memory>
#include <vector>

#include "core/counter.h"
#include "core/mutex.h"

namespace gaia::core {

class BlockArena {
 public:
  BlockArena() = default;
  BlockArena(const BlockArena&) = delete;
  BlockArena& operator=(const BlockArena&) = delete;

  // A block holding `key` and zero counters.
  CounterBlock* allocate(const BlockKey& key);
  // REQUIRES: `block` came from allocate() and is no longer indexed anywhere.
  void free(CounterBlock* block);
  size_t bytes() const;

 private:
  static constexpr size_t kChunkBlocks = 128;

  mutable Mutex mu_;
  std::vector<std::unique_ptr<CounterBlock[]>> chunks_ GUARDED_BY(mu_);
  size_t used_in_last_ GUARDED_BY(mu_) = kChunkBlocks;
  std::vector<CounterBlock*> freed_ GUARDED_BY(mu_);
};

}  // namespace gaia::core
