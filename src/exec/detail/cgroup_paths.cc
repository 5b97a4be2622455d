#include "exec/detail/cgroup_paths.h"

#include <sstream>
#include <vector>

namespace gaia::exec::detail {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const char a = s[i + 1], b = s[i + 2], c = s[i + 3];
      if (a >= '0' && a <= '3' && b >= '0' && b <= '7' && c >= '0' && c <= '7') {
        out.push_back(static_cast<char>((a - '0') * 64 + (b - '0') * 8 + (c - '0')));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

struct Mount {
  std::string root;         // field 4: the mount's root inside the cgroup hierarchy
  std::string mount_point;  // field 5
  std::string fstype;
  std::vector<std::string> super_options;
};

std::vector<Mount> cgroup_mounts(std::string_view mountinfo) {
  std::vector<Mount> out;
  for (const std::string& line : split(mountinfo, '\n')) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(f);
    // id parent major:minor root mount_point options [optional...] - fstype source super
    size_t dash = 6;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash + 1 >= fields.size()) continue;
    const std::string& fstype = fields[dash + 1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    Mount m{unescape(fields[3]), unescape(fields[4]), fstype, {}};
    if (dash + 3 < fields.size()) m.super_options = split(fields[dash + 3], ',');
    out.push_back(std::move(m));
  }
  return out;
}

// The directory of cgroup `path` in mount `m`, if `path` lies under the mount's root.
std::optional<std::string> dir_in_mount(const Mount& m, const std::string& path) {
  std::string rel;
  if (m.root == "/") {
    rel = path;
  } else if (path == m.root) {
    rel = "/";
  } else if (path.size() > m.root.size() && path.compare(0, m.root.size(), m.root) == 0 &&
             path[m.root.size()] == '/') {
    rel = path.substr(m.root.size());
  } else {
    return std::nullopt;
  }
  if (rel == "/") return m.mount_point;
  return m.mount_point + rel;
}

}  // namespace

CgroupPaths parse_cgroup_paths(std::string_view self_cgroup, std::string_view mountinfo) {
  const std::vector<Mount> mounts = cgroup_mounts(mountinfo);
  CgroupPaths out;
  for (const std::string& line : split(self_cgroup, '\n')) {
    // hierarchy-id:controllers:path; the path may itself contain ':'.
    const size_t first = line.find(':');
    if (first == std::string::npos) continue;
    const size_t second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string id = line.substr(0, first);
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (path.empty() || path[0] != '/') continue;

    if (id == "0" && controllers.empty()) {
      for (const Mount& m : mounts) {
        if (m.fstype != "cgroup2") continue;
        if (auto dir = dir_in_mount(m, path)) {
          out.v2 = *dir;
          break;
        }
      }
      continue;
    }
    for (const std::string& controller : split(controllers, ',')) {
      if (controller.empty()) continue;
      for (const Mount& m : mounts) {
        if (m.fstype != "cgroup") continue;
        bool has = false;
        for (const std::string& opt : m.super_options) has = has || opt == controller;
        if (!has) continue;
        if (auto dir = dir_in_mount(m, path)) {
          out.v1[controller] = *dir;
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace gaia::exec::detail
