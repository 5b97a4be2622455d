#pragma once
// One cgroup per command. CgroupHost finds, once, where this process may create cgroups
// (cgroup v2 with the memory controller, else the v1 memory hierarchy plus cpu, cpuacct and
// pids where mounted and writable); CommandCgroup is one command's cgroup: limits written at
// creation, joined by the child before exec, killed and read after, removed on destruction.
//
// Thread-safety: CgroupHost::create may be called from any thread; a CommandCgroup belongs
// to the run that created it.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "exec/detail/unique_fd.h"

namespace gaia::exec::detail {

struct CgroupLimits {
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> cpu_millicores;
  std::optional<int64_t> max_processes;
};

struct CgroupUsage {
  std::optional<int64_t> peak_memory_bytes;  // memory.peak (v2, 5.19+) / max_usage_in_bytes
  int64_t oom_kills = 0;                     // memory.events / memory.oom_control oom_kill
  std::optional<std::chrono::microseconds> user_cpu;  // cpu.stat / cpuacct.usage_user
  std::optional<std::chrono::microseconds> system_cpu;
};

class CommandCgroup {
 public:
  ~CommandCgroup();  // kill_all(), then removes the directories (bounded retries)
  CommandCgroup(const CommandCgroup&) = delete;
  CommandCgroup& operator=(const CommandCgroup&) = delete;

  // Open cgroup.procs of every hierarchy; writing "0" to each moves the writer in.
  const std::vector<int>& procs_fds() const { return raw_procs_fds_; }
  // SIGKILLs every process in the cgroup: cgroup.kill on v2 (5.14+), else one by one until
  // none is left (bounded, in case of a fork race).
  void kill_all();
  // Counters as they are now; call after the processes are gone for final figures.
  CgroupUsage usage() const;
  const std::string& name() const { return name_; }

 private:
  friend class CgroupHost;
  CommandCgroup() = default;

  bool v2_ = false;
  std::string name_;
  std::map<std::string, std::string> dirs_;  // controller ("" on v2) -> directory
  std::vector<UniqueFd> procs_fds_;
  std::vector<int> raw_procs_fds_;
};

class CgroupHost {
 public:
  // Finds this process's cgroups from `proc_root`/self/{cgroup,mountinfo} and checks that
  // children can be made. On cgroup v2 this may move the whole process into a leaf
  // "<own>/gaia-server" (no internal processes rule) and enable memory, cpu and pids for
  // the children. kUnavailable says why not.
  [[nodiscard]] static core::Result<std::unique_ptr<CgroupHost>> open(const std::string& proc_root);

  // Creates "gaia-cmd-<pid>-<n>" under each parent and writes `limits`. kUnavailable when a
  // limit is asked for whose controller is missing, or the file system refuses.
  [[nodiscard]] core::Result<std::unique_ptr<CommandCgroup>> create(const CgroupLimits& limits);

  // "cgroup v2 at /sys/fs/cgroup/x" or "cgroup v1: memory at ..., cpu at ...".
  std::string description() const;

 private:
  CgroupHost(bool v2, std::map<std::string, std::string> parents)
      : v2_(v2), parents_(std::move(parents)) {}

  const bool v2_;
  const std::map<std::string, std::string> parents_;  // controller ("" on v2) -> parent dir
  std::atomic<uint64_t> next_{0};
};

}  // namespace gaia::exec::detail
