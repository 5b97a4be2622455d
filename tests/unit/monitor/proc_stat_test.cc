#include "monitor/proc_stat.h"

#include <gtest/gtest.h>

#include "unit/monitor/fake_proc.h"

namespace gaia::monitor {
namespace {

TEST(ProcStatTest, SumsTheEightTimeColumnsAndCountsCpus) {
  auto times = parse_proc_stat(
      "cpu  10 20 30 400 50 6 7 8 900 900\n"
      "cpu0 5 10 15 200 25 3 3 4 0 0\n"
      "cpu1 5 10 15 200 25 3 4 4 0 0\n"
      "intr 1 2 3\n");
  ASSERT_TRUE(times.ok()) << times.status().message();
  EXPECT_EQ(times->total, 10u + 20 + 30 + 400 + 50 + 6 + 7 + 8);  // guest columns excluded
  EXPECT_EQ(times->idle, 450u);
  EXPECT_EQ(times->cpu_count, 2);
}

TEST(ProcStatTest, AcceptsOldKernelsWithFourColumns) {
  auto times = parse_proc_stat("cpu 1 2 3 4\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(times.ok());
  EXPECT_EQ(times->total, 10u);
  EXPECT_EQ(times->idle, 4u);
}

TEST(ProcStatTest, RejectsTextWithoutACpuLine) {
  EXPECT_FALSE(parse_proc_stat("intr 1\nctxt 2\n").ok());
  EXPECT_FALSE(parse_proc_stat("cpu 1 2\n").ok());
  EXPECT_FALSE(parse_proc_stat("cpu 1 2 x 4\n").ok());
}

TEST(ProcStatTest, BusyPercentFromTwoReadings) {
  CpuTimes before{1000, 600, 4}, after{2000, 900, 4};  // 1000 ticks, 300 idle
  EXPECT_DOUBLE_EQ(*busy_pct(before, after), 70.0);
}

TEST(ProcStatTest, NoBusyPercentWhenNoTimePassed) {
  CpuTimes t{1000, 600, 4};
  EXPECT_FALSE(busy_pct(t, t).has_value());
  EXPECT_FALSE(busy_pct({2000, 600, 4}, {1000, 500, 4}).has_value());  // counters reset
}

TEST(ProcStatTest, IdleGoingDownCountsAsFullyBusy) {
  // iowait can decrease between readings; the delta is clamped, not trusted.
  EXPECT_DOUBLE_EQ(*busy_pct({1000, 600, 4}, {1100, 590, 4}), 100.0);
}

TEST(ProcStatTest, ReadsFromTheRootPath) {
  testing::FakeProc proc;
  proc.stat(300, 700, 8);
  auto times = read_proc_stat(proc.root());
  ASSERT_TRUE(times.ok());
  EXPECT_EQ(times->total, 1000u);
  EXPECT_EQ(times->cpu_count, 8);
}

TEST(ProcStatTest, MissingFileIsNotFound) {
  testing::FakeProc proc;
  auto times = read_proc_stat(proc.root());
  ASSERT_FALSE(times.ok());
  EXPECT_EQ(times.status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gaia::monitor
