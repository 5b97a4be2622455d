#include "monitor/process_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace gaia::monitor {
namespace {

// proc_pid_stat(5) of a process named "gaia server) x" (a name may hold ')' and spaces):
// utime 250, stime 50 ticks; starttime 1000 ticks after boot; vsize 8 MiB; rss 300 pages.
constexpr std::string_view kStat =
    "4242 (gaia server) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000 "
    "8388608 300 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessStatsTest, ReadsCpuMemoryAndStartTimeFromTheStatLine) {
  auto s = parse_self_stat(kStat, 1'700'000'000, 100, 4096);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(s->start_time_unix, 1'700'000'010.0);
  EXPECT_EQ(s->virtual_bytes, 8u << 20);
  EXPECT_EQ(s->resident_bytes, 300u * 4096);
}

TEST(ProcessStatsTest, RefusesALineWithTooFewFields) {
  EXPECT_FALSE(parse_self_stat("1 (x) S 1 2 3", 0, 100, 4096).ok());
  EXPECT_FALSE(parse_self_stat("no parenthesis", 0, 100, 4096).ok());
}

TEST(ProcessStatsTest, ReadsThisProcessFromTheRealProc) {
  auto s = read_process_stats("/proc");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_GT(s->resident_bytes, 0u);
  EXPECT_GE(s->open_fds, 3u);  // stdin, stdout, stderr at least
  EXPECT_GT(s->max_fds, 0u);
  EXPECT_GT(s->start_time_unix, 1.5e9);
}

}  // namespace
}  // namespace gaia::monitor
