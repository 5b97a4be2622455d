#include "monitor/meminfo.h"

#include <gtest/gtest.h>

#include "unit/monitor/fake_proc.h"

namespace gaia::monitor {
namespace {

TEST(MeminfoTest, UsedPercentFromMemAvailable) {
  auto mem = parse_meminfo(
      "MemTotal:        8000000 kB\nMemFree:          100000 kB\n"
      "MemAvailable:    2000000 kB\nBuffers:           50000 kB\nCached:  300000 kB\n");
  ASSERT_TRUE(mem.ok()) << mem.status().message();
  EXPECT_EQ(mem->total_bytes, 8000000ull * 1024);
  EXPECT_EQ(mem->available_bytes, 2000000ull * 1024);
  EXPECT_DOUBLE_EQ(mem->used_pct(), 75.0);
}

TEST(MeminfoTest, OldKernelsEstimateAvailableFromFreeBuffersAndCached) {
  auto mem = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->available_bytes, 400u * 1024);
  EXPECT_DOUBLE_EQ(mem->used_pct(), 60.0);
}

TEST(MeminfoTest, RejectsTextWithoutMemTotal) {
  EXPECT_FALSE(parse_meminfo("MemFree: 100 kB\nMemAvailable: 200 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: 0 kB\nMemAvailable: 0 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: 1000 kB\n").ok());
}

TEST(MeminfoTest, ReadsFromTheRootPath) {
  testing::FakeProc proc;
  proc.meminfo(1000000, 100000);
  auto mem = read_meminfo(proc.root());
  ASSERT_TRUE(mem.ok());
  EXPECT_DOUBLE_EQ(mem->used_pct(), 90.0);
}

}  // namespace
}  // namespace gaia::monitor
