#include "monitor/sampler.h"

#include <gtest/gtest.h>

#include "support/manual_clock.h"
#include "unit/monitor/fake_proc.h"

namespace gaia::monitor {
namespace {

using namespace std::chrono_literals;
using testing::FakeProc;
using testing::ManualClock;

constexpr uint64_t kMiB = 1ull << 20;

class SamplerTest : public ::testing::Test {
 protected:
  SamplerTest() {
    proc_.stat(0, 0);
    proc_.meminfo(1'000'000, 500'000);
  }
  Sampler make(std::chrono::milliseconds smoothing = 0ms) {
    return Sampler({.root = proc_.root(), .interval = 1000ms, .smoothing = smoothing}, clock_);
  }
  core::Status step(Sampler& sampler, std::chrono::nanoseconds dt = 1s) {
    clock_.advance(dt);
    return sampler.sample_once(clock_.now());
  }

  FakeProc proc_;
  ManualClock clock_;
};

TEST_F(SamplerTest, NothingSampledYet) {
  Sampler sampler = make();
  auto snap = sampler.latest();
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->sequence, 0u);
}

TEST_F(SamplerTest, HostCpuNeedsTwoSamples) {
  Sampler sampler = make();
  proc_.stat(1000, 1000);
  ASSERT_TRUE(step(sampler).ok());
  auto first = sampler.latest();
  EXPECT_EQ(first->sequence, 1u);
  EXPECT_FALSE(first->cpu_known);
  EXPECT_DOUBLE_EQ(first->raw.mem_pct, 50.0);

  proc_.stat(1000 + 700, 1000 + 300);
  ASSERT_TRUE(step(sampler).ok());
  auto second = sampler.latest();
  EXPECT_TRUE(second->cpu_known);
  EXPECT_DOUBLE_EQ(second->raw.cpu_pct, 70.0);
  EXPECT_DOUBLE_EQ(second->host_cpu_pct, 70.0);
  EXPECT_EQ(second->cpu_source, LoadSource::kHost);
  EXPECT_EQ(second->host_cpus, 4);
  EXPECT_EQ(second->sampled_at.mono, clock_.mono_now());
}

TEST_F(SamplerTest, CpuInsideALimitedCgroupIsItsUsageAgainstTheQuota) {
  proc_.cgroup_v2("/gaia");
  proc_.write("sys/fs/cgroup/gaia/cpu.max", "150000 100000\n");  // 1.5 of 4 CPUs
  proc_.write("sys/fs/cgroup/gaia/cpu.stat", "usage_usec 10000000\n");
  Sampler sampler = make();
  ASSERT_TRUE(step(sampler).ok());
  // Two seconds later the cgroup has used 2.4 CPU-seconds: 80 % of 1.5 CPUs; the machine
  // as a whole is idle.
  proc_.write("sys/fs/cgroup/gaia/cpu.stat", "usage_usec 12400000\n");
  proc_.stat(0, 800);
  ASSERT_TRUE(step(sampler, 2s).ok());
  auto snap = sampler.latest();
  EXPECT_EQ(snap->cpu_source, LoadSource::kCgroup);
  EXPECT_DOUBLE_EQ(snap->raw.cpu_pct, 80.0);
  EXPECT_DOUBLE_EQ(snap->host_cpu_pct, 0.0);
  EXPECT_EQ(snap->cgroup.version, CgroupVersion::kV2);
  EXPECT_DOUBLE_EQ(*snap->cgroup.cpu_limit_cpus, 1.5);
}

TEST_F(SamplerTest, AQuotaOfAtLeastTheMachinesCpusIsNotALimit) {
  proc_.cgroup_v2("/gaia");
  proc_.write("sys/fs/cgroup/gaia/cpu.max", "800000 100000\n");  // 8 CPUs on a 4-CPU host
  proc_.write("sys/fs/cgroup/gaia/cpu.stat", "usage_usec 0\n");
  Sampler sampler = make();
  ASSERT_TRUE(step(sampler).ok());
  proc_.stat(500, 500);
  proc_.write("sys/fs/cgroup/gaia/cpu.stat", "usage_usec 4000000\n");
  ASSERT_TRUE(step(sampler).ok());
  auto snap = sampler.latest();
  EXPECT_EQ(snap->cpu_source, LoadSource::kHost);
  EXPECT_DOUBLE_EQ(snap->raw.cpu_pct, 50.0);
}

TEST_F(SamplerTest, MemoryIsOfTheCgroupLimitWhenLowerThanTheHost) {
  proc_.cgroup_v2("/gaia");
  proc_.write("sys/fs/cgroup/gaia/memory.max", std::to_string(200 * kMiB));
  proc_.write("sys/fs/cgroup/gaia/memory.current", std::to_string(180 * kMiB));
  Sampler sampler = make();
  ASSERT_TRUE(step(sampler).ok());
  auto snap = sampler.latest();
  EXPECT_EQ(snap->mem_source, LoadSource::kCgroup);
  EXPECT_DOUBLE_EQ(snap->raw.mem_pct, 90.0);
  EXPECT_DOUBLE_EQ(snap->host_mem_pct, 50.0);
  EXPECT_EQ(*snap->cgroup.memory_limit_bytes, 200 * kMiB);
  EXPECT_EQ(*snap->cgroup.memory_usage_bytes, 180 * kMiB);
}

TEST_F(SamplerTest, MemoryIsOfTheHostWhenTheCgroupLimitIsAboveIt) {
  proc_.cgroup_v2("/gaia");
  proc_.write("sys/fs/cgroup/gaia/memory.max", std::to_string(100'000 * kMiB));
  proc_.write("sys/fs/cgroup/gaia/memory.current", std::to_string(900 * kMiB));
  Sampler sampler = make();
  ASSERT_TRUE(step(sampler).ok());
  auto snap = sampler.latest();
  EXPECT_EQ(snap->mem_source, LoadSource::kHost);
  EXPECT_DOUBLE_EQ(snap->raw.mem_pct, 50.0);
  EXPECT_FALSE(snap->cgroup.memory_limit_bytes.has_value());
}

TEST_F(SamplerTest, SmoothedValuesFollowAnExponentialAverage) {
  Sampler sampler = make(1000ms);  // time constant = one interval
  ASSERT_TRUE(step(sampler).ok());
  EXPECT_DOUBLE_EQ(sampler.latest()->smoothed.mem_pct, 50.0);  // seeded by the first value
  proc_.meminfo(1'000'000, 0);                                 // 100 %
  ASSERT_TRUE(step(sampler).ok());
  auto snap = sampler.latest();
  EXPECT_DOUBLE_EQ(snap->raw.mem_pct, 100.0);
  // Weight 1 - e^-1 on the new value.
  EXPECT_NEAR(snap->smoothed.mem_pct, 50.0 + 50.0 * (1.0 - std::exp(-1.0)), 1e-9);
  EXPECT_LT(snap->smoothed.mem_pct, snap->raw.mem_pct);
}

TEST_F(SamplerTest, SmoothedCpuIsSeededByTheFirstKnownValue) {
  Sampler sampler = make(5000ms);
  ASSERT_TRUE(step(sampler).ok());
  proc_.stat(900, 100);
  ASSERT_TRUE(step(sampler).ok());
  EXPECT_DOUBLE_EQ(sampler.latest()->smoothed.cpu_pct, 90.0);
  proc_.stat(900, 1100);  // idle for the next 1000 ticks
  ASSERT_TRUE(step(sampler).ok());
  auto snap = sampler.latest();
  EXPECT_DOUBLE_EQ(snap->raw.cpu_pct, 0.0);
  EXPECT_NEAR(snap->smoothed.cpu_pct, 90.0 * std::exp(-0.2), 1e-9);
}

TEST_F(SamplerTest, PsiIsCarriedWhenPresent) {
  proc_.write("proc/pressure/cpu", "some avg10=3.00 avg60=2.00 avg300=1.00 total=5\n");
  Sampler sampler = make();
  ASSERT_TRUE(step(sampler).ok());
  auto snap = sampler.latest();
  ASSERT_TRUE(snap->psi.cpu.has_value());
  EXPECT_DOUBLE_EQ(snap->psi.cpu->some.avg10, 3.0);
  EXPECT_FALSE(snap->psi.memory.has_value());
}

TEST_F(SamplerTest, AFailedSampleKeepsTheLastGoodValuesAndSaysWhy) {
  Sampler sampler = make();
  ASSERT_TRUE(step(sampler).ok());
  proc_.remove("proc/meminfo");
  core::Status status = step(sampler);
  EXPECT_FALSE(status.ok());
  auto snap = sampler.latest();
  EXPECT_EQ(snap->sequence, 1u);
  EXPECT_EQ(snap->failed_samples, 1u);
  EXPECT_NE(snap->last_error.find("meminfo"), std::string::npos) << snap->last_error;
  EXPECT_DOUBLE_EQ(snap->raw.mem_pct, 50.0);
}

TEST_F(SamplerTest, ThreadSamplesAtOnceAndStopsPromptly) {
  // An hour's interval: stop() must wake the thread rather than wait it out.
  Sampler sampler({.root = proc_.root(), .interval = std::chrono::hours(1)}, clock_);
  sampler.start();
  sampler.stop();
  EXPECT_GE(sampler.latest()->sequence, 1u);
  sampler.stop();  // a second stop is a no-op
}

TEST_F(SamplerTest, OldSnapshotsStayValidAfterNewOnesArePublished) {
  Sampler sampler = make();
  ASSERT_TRUE(step(sampler).ok());
  auto old = sampler.latest();
  proc_.meminfo(1'000'000, 100'000);
  ASSERT_TRUE(step(sampler).ok());
  EXPECT_DOUBLE_EQ(old->raw.mem_pct, 50.0);
  EXPECT_DOUBLE_EQ(sampler.latest()->raw.mem_pct, 90.0);
}

TEST(SamplerRealMachineTest, ReadsThisMachinesProcWithinRange) {
  ManualClock clock;
  Sampler sampler({.root = "/", .smoothing = 0ms}, clock);
  ASSERT_TRUE(sampler.sample_once(clock.now()).ok());
  // Burn a little CPU so the second reading differs; values are checked for range only.
  volatile uint64_t x = 0;
  for (int i = 0; i < 1'000'000; ++i) x = x + i;
  clock.advance(1s);
  ASSERT_TRUE(sampler.sample_once(clock.now()).ok());
  auto snap = sampler.latest();
  EXPECT_EQ(snap->sequence, 2u);
  EXPECT_GT(snap->host_cpus, 0);
  EXPECT_GT(snap->host_mem_total_bytes, 0u);
  EXPECT_GE(snap->raw.mem_pct, 0.0);
  EXPECT_LE(snap->raw.mem_pct, 100.0);
  EXPECT_GE(snap->raw.cpu_pct, 0.0);
  EXPECT_LE(snap->raw.cpu_pct, 100.0);
}

}  // namespace
}  // namespace gaia::monitor
