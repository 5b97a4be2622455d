#pragma once
// The limits and usage of this process's cgroups (references.md section 3 and 5), read
// through the directories cgroup_paths.h found. The effective limit is the tightest of the
// cgroup and all its ancestors up to the hierarchy's mount point. Missing files mean "no
// limit" or "no usage", never an error: cgroups expose different files by version, kernel
// and delegation. Values; any thread.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "monitor/cgroup_paths.h"

namespace gaia::monitor {

struct CgroupMemory {
  // The tightest of memory.max (v2) / memory.limit_in_bytes (v1) up the tree; limits at or
  // above the host's MemTotal (v1 writes "unlimited" as a huge number) count as none.
  std::optional<uint64_t> limit_bytes;
  // Percent used of the most used limited cgroup up the tree: working set / its limit, where
  // working set = usage - inactive file pages (memory.current - memory.stat inactive_file on
  // v2; memory.usage_in_bytes - total_inactive_file on v1).
  std::optional<double> used_pct;
  std::optional<uint64_t> usage_bytes;  // that cgroup's working set
};

// REQUIRES: host_total_bytes > 0.
CgroupMemory read_cgroup_memory(const ControllerDir& memory, uint64_t host_total_bytes);

struct CgroupCpu {
  // CPUs this process may use: the tightest cpu.max (v2) / cpu.cfs_quota_us ÷
  // cpu.cfs_period_us (v1) up the tree, and the CPU count of the cpuset, whichever is lower.
  // Fractional (1.5 = 150000 µs per 100000 µs period). nullopt: neither applies.
  std::optional<double> limit_cpus;
  // Cumulative CPU time, in µs, of the cgroup whose quota is tightest (its own when the
  // cpuset is what limits): cpu.stat usage_usec (v2), cpuacct.usage ns ÷ 1000 (v1).
  std::optional<uint64_t> usage_us;
  // Which cgroup usage_us is of: deltas are only meaningful within one.
  std::filesystem::path usage_dir;
};

CgroupCpu read_cgroup_cpu(const CgroupPaths& paths);

// Parses "max 100000" / "150000 100000" (cpu.max): quota ÷ period in CPUs, nullopt for max.
std::optional<double> parse_cpu_max(std::string_view text);
// Counts the CPUs of a cpuset list such as "0-3,8,10-11"; nullopt when malformed or empty.
std::optional<int> count_cpu_list(std::string_view text);

}  // namespace gaia::monitor
