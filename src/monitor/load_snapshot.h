#pragma once
// LoadSnapshot: one reading of the load this process is under, as Sampler publishes it.
// A value: copied freely, shared between threads as shared_ptr<const LoadSnapshot>.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/throttle.h"
#include "monitor/cgroup_paths.h"
#include "monitor/psi.h"

namespace gaia::monitor {

// What a percentage is measured against.
enum class LoadSource : uint8_t {
  kHost,    // the whole machine (/proc/stat, /proc/meminfo)
  kCgroup,  // this process's cgroup limit, lower than the machine's
};

// The cgroup limits that apply to this process (tightest up the tree); empty = none.
struct CgroupLimits {
  CgroupVersion version = CgroupVersion::kNone;
  std::optional<uint64_t> memory_limit_bytes;
  std::optional<uint64_t> memory_usage_bytes;  // working set of the limiting cgroup
  std::optional<double> cpu_limit_cpus;        // fractional: 1.5 = one and a half CPUs
};

struct LoadSnapshot {
  uint64_t sequence = 0;  // samples taken so far; 0: none yet (all values zero)
  core::Instant sampled_at{};

  // Percent of what this process may use: of the cgroup's limit when one is lower than the
  // machine's, else of the machine. CPU needs two samples: 0 and cpu_known = false before.
  core::LoadLevels raw;
  core::LoadLevels smoothed;  // EWMA of raw over SamplerOptions::smoothing
  bool cpu_known = false;
  LoadSource cpu_source = LoadSource::kHost;
  LoadSource mem_source = LoadSource::kHost;

  // The machine, whatever limits apply.
  double host_cpu_pct = 0;
  double host_mem_pct = 0;
  int host_cpus = 0;
  uint64_t host_mem_total_bytes = 0;
  uint64_t host_mem_available_bytes = 0;

  CgroupLimits cgroup;
  Psi psi;  // system-wide; each resource empty when the kernel reports none

  // Samples that failed (unreadable /proc/stat or /proc/meminfo) and the latest reason; a
  // failed sample leaves every other field as the last good one had it.
  uint64_t failed_samples = 0;
  std::string last_error;
};

}  // namespace gaia::monitor
