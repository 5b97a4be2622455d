#include "core/block_arena.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace gaia::core {
namespace {

TEST(BlockArenaTest, BlocksKeepTheirAddressesAndDoNotOverlap) {
  BlockArena arena;
  std::vector<CounterBlock*> blocks;
  for (uint64_t i = 0; i < 1000; ++i) {
    blocks.push_back(arena.allocate({i, 0}));
    blocks.back()->counters.running = static_cast<uint32_t>(i);
  }
  std::set<CounterBlock*> distinct(blocks.begin(), blocks.end());
  EXPECT_EQ(distinct.size(), blocks.size());
  for (uint64_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(blocks[i]->key, (BlockKey{i, 0}));
    ASSERT_EQ(blocks[i]->counters.running, i);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(blocks[i]) % alignof(CounterBlock), 0u);
  }
}

TEST(BlockArenaTest, AFreedBlockComesBackWithItsNewKeyAndNoUsage) {
  BlockArena arena;
  CounterBlock* used = arena.allocate({1, 2});
  used->counters.running = 3;
  used->counters.periods[0] = {1000, 7};
  used->counters.window.claim(60'000);
  arena.free(used);
  CounterBlock* again = arena.allocate({4, 5});
  EXPECT_EQ(again, used);
  EXPECT_EQ(again->key, (BlockKey{4, 5}));
  EXPECT_EQ(again->counters.running, 0u);
  EXPECT_EQ(again->counters.periods[0].used, 0u);
  EXPECT_EQ(again->counters.window.window_ms(), 0);
}

TEST(BlockArenaTest, ReuseKeepsMemoryFlatUnderChurn) {
  BlockArena arena;
  std::vector<CounterBlock*> live;
  auto churn = [&] {
    for (CounterBlock* block : live) arena.free(block);
    live.clear();
    for (uint64_t i = 0; i < 5000; ++i) live.push_back(arena.allocate({i, 0}));
  };
  churn();
  churn();  // the free list has grown to its size
  const size_t bytes = arena.bytes();
  for (int round = 0; round < 10; ++round) churn();
  EXPECT_EQ(arena.bytes(), bytes);
}

}  // namespace
}  // namespace gaia::core
