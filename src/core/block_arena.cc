#include "core/block_arena.h"

namespace gaia::core {

CounterBlock* BlockArena::allocate(const BlockKey& key) {
  core::MutexLock lock(mu_);
  CounterBlock* block;
  if (!freed_.empty()) {
    block = freed_.back();
    freed_.pop_back();
  } else {
    if (used_in_last_ == kChunkBlocks) {
      chunks_.push_back(std::make_unique<CounterBlock[]>(kChunkBlocks));
      used_in_last_ = 0;
    }
    block = &chunks_.back()[used_in_last_++];
  }
  *block = CounterBlock{key, {}};
  return block;
}

void BlockArena::free(CounterBlock* block) {
  core::MutexLock lock(mu_);
  freed_.push_back(block);
}

size_t BlockArena::bytes() const {
  core::MutexLock lock(mu_);
  return chunks_.size() * kChunkBlocks * sizeof(CounterBlock) +
         freed_.capacity() * sizeof(CounterBlock*);
}

}  // namespace gaia::core
