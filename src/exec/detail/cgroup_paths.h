#pragma once
// Where this process's cgroups are: parses /proc/self/cgroup and /proc/self/mountinfo (text
// given by the caller, so tests feed any layout). Pure functions.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace gaia::exec::detail {

struct CgroupPaths {
  // The own cgroup's directory in the cgroup2 mount ("0::/path" joined to the mount point).
  // On a hybrid machine this is the controller-less unified tree.
  std::optional<std::string> v2;
  // cgroup v1: controller name ("memory", "cpu", "cpuacct", "pids", ...) -> own cgroup's
  // directory in the hierarchy that controller is mounted in. Co-mounted controllers
  // ("cpu,cpuacct") share a directory.
  std::map<std::string, std::string> v1;
};

// Paths whose mount cannot be found, or whose cgroup path lies outside the mount's root (a
// mount of a sub-tree from another namespace), are left out.
CgroupPaths parse_cgroup_paths(std::string_view self_cgroup, std::string_view mountinfo);

}  // namespace gaia::exec::detail
