// The throttle factor at every threshold, from fake /proc and cgroup trees through the
// monitor's readers and Sampler into core::ThrottlePolicy.

#include <gtest/gtest.h>

#include "core/throttle.h"
#include "monitor/sampler.h"
#include "support/manual_clock.h"
#include "unit/monitor/fake_proc.h"

namespace gaia::monitor {
namespace {

using namespace std::chrono_literals;
using testing::FakeProc;
using testing::ManualClock;

constexpr uint64_t kMiB = 1ull << 20;

struct Case {
  double pct;
  double factor;
};

// Both sides of every default threshold.
const Case kCases[] = {
    {0.0, 1.0},  {69.9, 1.0}, {70.0, 0.8}, {79.9, 0.8}, {80.0, 0.6},  {89.9, 0.6},
    {90.0, 0.3}, {94.9, 0.3}, {95.0, 0.0}, {99.9, 0.0}, {100.0, 0.0},
};

// Two samples one second apart, unsmoothed, so raw == smoothed.
class EndToEnd : public ::testing::Test {
 protected:
  std::shared_ptr<const LoadSnapshot> two_samples(const std::function<void()>& second) {
    Sampler sampler({.root = proc_.root(), .smoothing = 0ms}, clock_);
    clock_.advance(1s);
    EXPECT_TRUE(sampler.sample_once(clock_.now()).ok());
    second();
    clock_.advance(1s);
    EXPECT_TRUE(sampler.sample_once(clock_.now()).ok());
    return sampler.latest();
  }
  double factor_of(const LoadSnapshot& snap) {
    core::ThrottlePolicy policy(core::ThrottleConfig{});
    return policy.admit(snap.smoothed, core::Tier::kDefault).factor;
  }

  FakeProc proc_;
  ManualClock clock_;
};

TEST_F(EndToEnd, HostCpuAtEveryThreshold) {
  for (const Case& c : kCases) {
    proc_.stat(0, 0);
    proc_.meminfo(1'000'000, 1'000'000);
    auto busy = static_cast<uint64_t>(c.pct * 100 + 0.5);  // of 10000 ticks
    auto snap = two_samples([&] { proc_.stat(busy, 10000 - busy); });
    EXPECT_EQ(snap->cpu_source, LoadSource::kHost);
    EXPECT_NEAR(snap->raw.cpu_pct, c.pct, 1e-9);
    EXPECT_DOUBLE_EQ(factor_of(*snap), c.factor) << "cpu " << c.pct;
  }
}

TEST_F(EndToEnd, HostMemoryAtEveryThreshold) {
  for (const Case& c : kCases) {
    proc_.stat(0, 0);
    auto used_kb = static_cast<uint64_t>(c.pct * 10'000 + 0.5);  // of 1'000'000 kB
    proc_.meminfo(1'000'000, 1'000'000 - used_kb);
    auto snap = two_samples([&] { proc_.stat(0, 100); });
    EXPECT_EQ(snap->mem_source, LoadSource::kHost);
    EXPECT_DOUBLE_EQ(snap->raw.cpu_pct, 0.0);
    EXPECT_DOUBLE_EQ(factor_of(*snap), c.factor) << "memory " << c.pct;
  }
}

TEST_F(EndToEnd, CgroupV2CpuWithAFractionalQuotaAtEveryThreshold) {
  proc_.cgroup_v2("/gaia.slice/gaia");
  proc_.write("sys/fs/cgroup/gaia.slice/cpu.max", "150000 100000\n");
  proc_.write("sys/fs/cgroup/gaia.slice/gaia/cpu.max", "max 100000\n");
  for (const Case& c : kCases) {
    proc_.stat(0, 0);
    proc_.meminfo(1'000'000, 1'000'000);
    proc_.write("sys/fs/cgroup/gaia.slice/cpu.stat", "usage_usec 1000000\n");
    // In one second 1.5 CPUs give 1.5e6 µs; pct of that.
    auto used = static_cast<uint64_t>(c.pct * 15'000 + 0.5);
    auto snap = two_samples([&] {
      proc_.stat(100, 300);  // the machine: 25 % busy
      proc_.write("sys/fs/cgroup/gaia.slice/cpu.stat",
                  "usage_usec " + std::to_string(1'000'000 + used) + "\n");
    });
    EXPECT_EQ(snap->cpu_source, LoadSource::kCgroup);
    EXPECT_NEAR(snap->raw.cpu_pct, c.pct, 1e-9);
    EXPECT_DOUBLE_EQ(factor_of(*snap), c.factor) << "cgroup cpu " << c.pct;
  }
}

TEST_F(EndToEnd, CgroupV1MemoryAtEveryThreshold) {
  proc_.cgroup_v1("/gaia");
  for (const Case& c : kCases) {
    proc_.stat(0, 0);
    proc_.meminfo(16 * 1024 * 1024, 16 * 1024 * 1024);  // 16 GiB, all available
    proc_.write("sys/fs/cgroup/memory/gaia/memory.limit_in_bytes", std::to_string(1000 * kMiB));
    auto used = static_cast<uint64_t>(c.pct * 10 * kMiB + 0.5);
    proc_.write("sys/fs/cgroup/memory/gaia/memory.usage_in_bytes", std::to_string(used));
    auto snap = two_samples([&] { proc_.stat(0, 100); });
    EXPECT_EQ(snap->mem_source, LoadSource::kCgroup);
    EXPECT_NEAR(snap->raw.mem_pct, c.pct, 1e-9);
    EXPECT_DOUBLE_EQ(factor_of(*snap), c.factor) << "cgroup memory " << c.pct;
  }
}

TEST_F(EndToEnd, FactorIsTheLowerOfCgroupCpuAndHostMemory) {
  proc_.cgroup_v2("/gaia");
  proc_.write("sys/fs/cgroup/gaia/cpu.max", "100000 100000\n");
  proc_.write("sys/fs/cgroup/gaia/cpu.stat", "usage_usec 0\n");
  proc_.stat(0, 0);
  proc_.meminfo(1'000'000, 150'000);  // 85 % -> 0.6
  auto snap = two_samples([&] {
    proc_.stat(0, 100);
    proc_.write("sys/fs/cgroup/gaia/cpu.stat", "usage_usec 920000\n");  // 92 % -> 0.3
  });
  EXPECT_DOUBLE_EQ(factor_of(*snap), 0.3);
}

TEST_F(EndToEnd, HysteresisAcrossSamples) {
  proc_.stat(0, 0);
  proc_.meminfo(1'000'000, 1'000'000);
  Sampler sampler({.root = proc_.root(), .smoothing = 0ms}, clock_);
  core::ThrottlePolicy policy(core::ThrottleConfig{});
  uint64_t busy = 0, idle = 0;
  auto sample_at = [&](uint64_t pct) {
    busy += pct;
    idle += 100 - pct;
    proc_.stat(busy, idle);
    clock_.advance(1s);
    EXPECT_TRUE(sampler.sample_once(clock_.now()).ok());
    return policy.admit(sampler.latest()->smoothed, core::Tier::kDefault).factor;
  };
  sample_at(0);
  EXPECT_DOUBLE_EQ(sample_at(81), 0.6);
  EXPECT_DOUBLE_EQ(sample_at(79), 0.6);  // within 2 points of 80
  EXPECT_DOUBLE_EQ(sample_at(78), 0.6);
  EXPECT_DOUBLE_EQ(sample_at(77), 0.8);
  EXPECT_DOUBLE_EQ(sample_at(79), 0.8);
}

TEST_F(EndToEnd, AtZeroRefusesWithRetryAfterWhenConfigured) {
  proc_.stat(0, 0);
  proc_.meminfo(1'000'000, 10'000);  // 99 %
  auto snap = two_samples([&] { proc_.stat(0, 100); });
  core::ThrottleConfig config;
  config.stop_action = core::StopAction::kRefuse;
  config.retry_after = 3s;
  core::ThrottlePolicy policy(config);
  core::Admission a = policy.admit(snap->smoothed, core::Tier::kPremium);
  EXPECT_TRUE(a.refuse);
  EXPECT_EQ(a.retry_after, 3s);
}

}  // namespace
}  // namespace gaia::monitor
