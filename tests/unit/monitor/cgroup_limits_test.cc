#include "monitor/cgroup_limits.h"

#include <gtest/gtest.h>

#include "unit/monitor/fake_proc.h"

namespace gaia::monitor {
namespace {

using testing::FakeProc;

constexpr uint64_t kHostTotal = 16ull << 30;  // 16 GiB
constexpr uint64_t kMiB = 1ull << 20;

CgroupPaths detect(const FakeProc& proc) {
  auto paths = detect_cgroups(proc.root());
  EXPECT_TRUE(paths.ok()) << paths.status().message();
  return paths.ok() ? paths.value() : CgroupPaths{};
}

TEST(CpuMaxTest, ParsesQuotaOverPeriod) {
  EXPECT_FALSE(parse_cpu_max("max 100000").has_value());
  EXPECT_DOUBLE_EQ(*parse_cpu_max("150000 100000\n"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_cpu_max("50000 100000"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_cpu_max("200000"), 2.0);  // period defaults to 100000
  EXPECT_FALSE(parse_cpu_max("x 100000").has_value());
}

TEST(CpuListTest, CountsRangesAndSingles) {
  EXPECT_EQ(*count_cpu_list("0-3,8,10-11\n"), 7);
  EXPECT_EQ(*count_cpu_list("0"), 1);
  EXPECT_FALSE(count_cpu_list("").has_value());
  EXPECT_FALSE(count_cpu_list("3-1").has_value());
}

TEST(CgroupMemoryTest, V2LimitIsTheTightestUpTheTree) {
  FakeProc proc;
  proc.cgroup_v2("/a/b");
  proc.write("sys/fs/cgroup/a/memory.max", std::to_string(512 * kMiB) + "\n");
  proc.write("sys/fs/cgroup/a/memory.current", std::to_string(256 * kMiB) + "\n");
  proc.write("sys/fs/cgroup/a/b/memory.max", "max\n");
  proc.write("sys/fs/cgroup/a/b/memory.current", std::to_string(100 * kMiB) + "\n");
  CgroupMemory mem = read_cgroup_memory(*detect(proc).memory, kHostTotal);
  ASSERT_TRUE(mem.limit_bytes.has_value());
  EXPECT_EQ(*mem.limit_bytes, 512 * kMiB);
  EXPECT_DOUBLE_EQ(*mem.used_pct, 50.0);  // the parent's 256 of 512
}

TEST(CgroupMemoryTest, V2WorkingSetLeavesOutInactiveFilePages) {
  FakeProc proc;
  proc.cgroup_v2("/g");
  proc.write("sys/fs/cgroup/g/memory.max", std::to_string(1000 * kMiB));
  proc.write("sys/fs/cgroup/g/memory.current", std::to_string(900 * kMiB));
  proc.write("sys/fs/cgroup/g/memory.stat",
             "anon 1\nfile 2\ninactive_file " + std::to_string(200 * kMiB) + "\nactive_file 3\n");
  CgroupMemory mem = read_cgroup_memory(*detect(proc).memory, kHostTotal);
  EXPECT_DOUBLE_EQ(*mem.used_pct, 70.0);
  EXPECT_EQ(*mem.usage_bytes, 700 * kMiB);
}

TEST(CgroupMemoryTest, PercentIsOfTheMostUsedLimitedCgroup) {
  FakeProc proc;
  proc.cgroup_v2("/a/b");
  proc.write("sys/fs/cgroup/a/memory.max", std::to_string(1000 * kMiB));
  proc.write("sys/fs/cgroup/a/memory.current", std::to_string(950 * kMiB));  // siblings too
  proc.write("sys/fs/cgroup/a/b/memory.max", std::to_string(800 * kMiB));
  proc.write("sys/fs/cgroup/a/b/memory.current", std::to_string(400 * kMiB));
  CgroupMemory mem = read_cgroup_memory(*detect(proc).memory, kHostTotal);
  EXPECT_EQ(*mem.limit_bytes, 800 * kMiB);
  EXPECT_DOUBLE_EQ(*mem.used_pct, 95.0);
}

TEST(CgroupMemoryTest, V1UnlimitedHugeValueCountsAsNoLimit) {
  FakeProc proc;
  proc.cgroup_v1("/gaia");
  proc.write("sys/fs/cgroup/memory/gaia/memory.limit_in_bytes", "9223372036854771712\n");
  proc.write("sys/fs/cgroup/memory/gaia/memory.usage_in_bytes", "1000\n");
  CgroupMemory mem = read_cgroup_memory(*detect(proc).memory, kHostTotal);
  EXPECT_FALSE(mem.limit_bytes.has_value());
  EXPECT_FALSE(mem.used_pct.has_value());
}

TEST(CgroupMemoryTest, V1LimitAndWorkingSet) {
  FakeProc proc;
  proc.cgroup_v1("/gaia");
  proc.write("sys/fs/cgroup/memory/gaia/memory.limit_in_bytes", std::to_string(400 * kMiB));
  proc.write("sys/fs/cgroup/memory/gaia/memory.usage_in_bytes", std::to_string(360 * kMiB));
  proc.write("sys/fs/cgroup/memory/gaia/memory.stat",
             "cache 1\ntotal_inactive_file " + std::to_string(20 * kMiB) + "\n");
  CgroupMemory mem = read_cgroup_memory(*detect(proc).memory, kHostTotal);
  EXPECT_EQ(*mem.limit_bytes, 400 * kMiB);
  EXPECT_DOUBLE_EQ(*mem.used_pct, 85.0);
}

TEST(CgroupCpuTest, V2FractionalQuotaAndUsageOfTheLimitingCgroup) {
  FakeProc proc;
  proc.cgroup_v2("/a/b");
  proc.write("sys/fs/cgroup/a/cpu.max", "150000 100000\n");
  proc.write("sys/fs/cgroup/a/cpu.stat", "usage_usec 777\nuser_usec 700\nsystem_usec 77\n");
  proc.write("sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
  proc.write("sys/fs/cgroup/a/b/cpu.stat", "usage_usec 5\n");
  CgroupCpu cpu = read_cgroup_cpu(detect(proc));
  ASSERT_TRUE(cpu.limit_cpus.has_value());
  EXPECT_DOUBLE_EQ(*cpu.limit_cpus, 1.5);
  EXPECT_EQ(*cpu.usage_us, 777u);
  EXPECT_EQ(cpu.usage_dir, proc.root() / "sys/fs/cgroup/a");
}

TEST(CgroupCpuTest, V2CpusetCountLimitsWhenTighterThanTheQuota) {
  FakeProc proc;
  proc.cgroup_v2("/g");
  proc.write("sys/fs/cgroup/g/cpu.max", "400000 100000\n");
  proc.write("sys/fs/cgroup/g/cpuset.cpus.effective", "0-1\n");
  proc.write("sys/fs/cgroup/g/cpu.stat", "usage_usec 42\n");
  CgroupCpu cpu = read_cgroup_cpu(detect(proc));
  EXPECT_DOUBLE_EQ(*cpu.limit_cpus, 2.0);
  EXPECT_EQ(*cpu.usage_us, 42u);
}

TEST(CgroupCpuTest, V1QuotaOverPeriodAndCpuacctUsageInMicroseconds) {
  FakeProc proc;
  proc.cgroup_v1("/gaia");
  proc.write("sys/fs/cgroup/cpu,cpuacct/gaia/cpu.cfs_quota_us", "50000\n");
  proc.write("sys/fs/cgroup/cpu,cpuacct/gaia/cpu.cfs_period_us", "200000\n");
  proc.write("sys/fs/cgroup/cpu,cpuacct/gaia/cpuacct.usage", "123456789\n");
  proc.write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  CgroupCpu cpu = read_cgroup_cpu(detect(proc));
  EXPECT_DOUBLE_EQ(*cpu.limit_cpus, 0.25);
  EXPECT_EQ(*cpu.usage_us, 123456u);
}

TEST(CgroupCpuTest, V1MinusOneQuotaIsNoLimit) {
  FakeProc proc;
  proc.cgroup_v1("/gaia");
  proc.write("sys/fs/cgroup/cpu,cpuacct/gaia/cpu.cfs_quota_us", "-1\n");
  proc.write("sys/fs/cgroup/cpu,cpuacct/gaia/cpu.cfs_period_us", "100000\n");
  EXPECT_FALSE(read_cgroup_cpu(detect(proc)).limit_cpus.has_value());
}

TEST(CgroupCpuTest, NoCgroupsNoLimits) {
  CgroupCpu cpu = read_cgroup_cpu(CgroupPaths{});
  EXPECT_FALSE(cpu.limit_cpus.has_value());
  EXPECT_FALSE(cpu.usage_us.has_value());
}

}  // namespace
}  // namespace gaia::monitor
