#pragma once
// Where this process's cgroups are: parses /proc/self/cgroup and /proc/self/mountinfo under
// a root path (references.md section 3, "Own cgroup" and "v1 / v2 / hybrid") and maps each
// controller Gaia reads (memory, cpu, cpuacct, cpuset) to a directory. Values; any thread.
//
// A controller is taken from a v1 hierarchy when one is mounted with it and the process has a
// line for it; otherwise from the v2 (unified) hierarchy. That is also right for hybrid
// systems, where the unified hierarchy carries no controllers and limits live in v1.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::monitor {

enum class CgroupVersion : uint8_t {
  kNone,    // no cgroup file system mounted (or nothing known about this process)
  kV1,      // only v1 hierarchies
  kV2,      // only the unified hierarchy
  kHybrid,  // both: v1 controllers plus a unified hierarchy (usually at .../unified)
};
std::string_view cgroup_version_name(CgroupVersion version);

// One controller's directory for this process.
struct ControllerDir {
  bool v2 = false;
  std::filesystem::path dir;    // the process's cgroup, under the root path
  std::filesystem::path mount;  // the hierarchy's mount point, under the root path

  // dir, then each parent up to and including mount: where limits may apply.
  std::vector<std::filesystem::path> up_the_tree() const;
};

struct CgroupPaths {
  CgroupVersion version = CgroupVersion::kNone;
  std::optional<ControllerDir> memory;
  std::optional<ControllerDir> cpu;
  std::optional<ControllerDir> cpuacct;  // v1 usage; on v2 usage is in cpu's cpu.stat
  std::optional<ControllerDir> cpuset;
};

// One line of /proc/self/cgroup: "<id>:<controllers>:<path>".
struct CgroupMembership {
  int hierarchy_id = 0;
  std::vector<std::string> controllers;  // empty for v2 ("0::/path"); "name=systemd" kept
  std::string path;
};
[[nodiscard]] core::Result<std::vector<CgroupMembership>> parse_proc_self_cgroup(
    std::string_view text);

// A cgroup mount from /proc/self/mountinfo (proc(5)); other file systems are skipped.
struct CgroupMount {
  bool v2 = false;
  std::string root;                      // field 4: the mount's root within the hierarchy
  std::string mount_point;               // field 5, octal escapes (\040) decoded
  std::vector<std::string> controllers;  // v1: from the super options ("rw,cpu,cpuacct")
};
[[nodiscard]] core::Result<std::vector<CgroupMount>> parse_cgroup_mounts(std::string_view text);

// The directory of cgroup `path` in a hierarchy mounted at `mount` (as seen under `root`):
// mount point + path relative to the mount's root. When the path is not under the mount's
// root (a cgroup namespace or a bind mount of a sub-tree), the mount point itself.
std::filesystem::path cgroup_dir(const std::filesystem::path& root, const CgroupMount& mount,
                                 std::string_view path);

// This process's cgroup in every hierarchy, for a caller that creates cgroups beside it (the
// runner, src/exec): the unified hierarchy's directory, and each v1 controller's ("memory",
// "pids", ...; co-mounted controllers share one). Paths as mountinfo names them (no root).
// Unlike cgroup_dir(), a cgroup outside its mount's root (a sub-tree mounted from another
// namespace) is left out rather than guessed: the mount point is not ours to write in.
struct OwnCgroupDirs {
  std::optional<std::string> v2;
  std::map<std::string, std::string> v1;  // controller -> directory
};
// From the text of /proc/self/cgroup and /proc/self/mountinfo; fails as their parsers do.
[[nodiscard]] core::Result<OwnCgroupDirs> parse_own_cgroup_dirs(std::string_view self_cgroup,
                                                                std::string_view mountinfo);

// Detects this process's cgroups from <root>/proc/self/{cgroup,mountinfo}. Fails only when
// those files cannot be read or parsed; a system without cgroups gives version kNone.
[[nodiscard]] core::Result<CgroupPaths> detect_cgroups(const std::filesystem::path& root);

}  // namespace gaia::monitor
