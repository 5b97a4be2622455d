#include "monitor/cgroup_paths.h"

#include <algorithm>

#include "monitor/detail/text.h"

namespace gaia::monitor {

namespace fs = std::filesystem;

std::string_view cgroup_version_name(CgroupVersion version) {
  switch (version) {
    case CgroupVersion::kNone:
      return "none";
    case CgroupVersion::kV1:
      return "v1";
    case CgroupVersion::kV2:
      return "v2";
    case CgroupVersion::kHybrid:
      return "hybrid";
  }
  return "none";
}

std::vector<fs::path> ControllerDir::up_the_tree() const {
  std::vector<fs::path> out;
  fs::path p = dir.lexically_normal();
  const fs::path top = mount.lexically_normal();
  // Stops at the mount point, or at the file system root should dir not be under it.
  while (true) {
    out.push_back(p);
    if (p == top || !p.has_relative_path() || p.parent_path() == p) break;
    fs::path parent = p.parent_path();
    if (parent.native().size() < top.native().size()) break;
    p = parent;
  }
  return out;
}

core::Result<std::vector<CgroupMembership>> parse_proc_self_cgroup(std::string_view text) {
  std::vector<CgroupMembership> out;
  for (std::string_view line : detail::lines(text)) {
    line = core::trim(line, detail::kWhitespace);
    if (line.empty()) continue;
    // The path may itself contain ':', so split on the first two only.
    size_t a = line.find(':');
    size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) {
      return core::Status::invalid_argument("/proc/self/cgroup: malformed line \"" +
                                            std::string(line) + "\"");
    }
    auto id = detail::parse_u64(line.substr(0, a));
    if (!id) return core::Status::invalid_argument("/proc/self/cgroup: bad hierarchy id");
    CgroupMembership m;
    m.hierarchy_id = static_cast<int>(*id);
    std::string_view controllers = line.substr(a + 1, b - a - 1);
    if (!controllers.empty()) {
      for (std::string_view c : detail::split(controllers, ',')) m.controllers.emplace_back(c);
    }
    m.path = std::string(line.substr(b + 1));
    out.push_back(std::move(m));
  }
  return out;
}

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::all_of(s.begin() + i + 1, s.begin() + i + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// `path` relative to the mount's root ("" for the root itself), or nullopt when the mount
// does not hold it.
std::optional<std::string_view> below_root(const CgroupMount& mount, std::string_view path) {
  std::string_view mroot = mount.root;
  while (mroot.size() > 1 && mroot.back() == '/') mroot.remove_suffix(1);
  if (mroot == "/") return path;
  if (path.substr(0, mroot.size()) == mroot &&
      (path.size() == mroot.size() || path[mroot.size()] == '/')) {
    return path.substr(mroot.size());
  }
  return std::nullopt;
}

}  // namespace

core::Result<std::vector<CgroupMount>> parse_cgroup_mounts(std::string_view text) {
  std::vector<CgroupMount> out;
  for (std::string_view line : detail::lines(text)) {
    auto fields = detail::split_ws(line);
    if (fields.empty()) continue;
    // id parent major:minor root mount-point options [optional...] - fstype source super
    auto dash = std::find(fields.begin(), fields.end(), std::string_view("-"));
    if (fields.size() < 6 || dash == fields.end() || dash - fields.begin() < 6 ||
        fields.end() - dash < 3) {
      return core::Status::invalid_argument("/proc/self/mountinfo: malformed line \"" +
                                            std::string(line) + "\"");
    }
    std::string_view fstype = dash[1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m;
    m.v2 = fstype == "cgroup2";
    m.root = unescape_octal(fields[3]);
    m.mount_point = unescape_octal(fields[4]);
    if (!m.v2 && fields.end() - dash >= 4) {
      for (std::string_view opt : detail::split(dash[3], ',')) {
        if (opt != "rw" && opt != "ro" && !opt.empty()) m.controllers.emplace_back(opt);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

fs::path cgroup_dir(const fs::path& root, const CgroupMount& mount, std::string_view path) {
  const std::string_view rel = below_root(mount, path).value_or("/");
  fs::path dir = root / fs::path(mount.mount_point).relative_path();
  fs::path relative = fs::path(rel).relative_path();
  if (!relative.empty()) dir /= relative;
  return dir.lexically_normal();
}

core::Result<OwnCgroupDirs> parse_own_cgroup_dirs(std::string_view self_cgroup,
                                                  std::string_view mountinfo) {
  auto memberships = parse_proc_self_cgroup(self_cgroup);
  if (!memberships.ok()) return memberships.status();
  auto mounts = parse_cgroup_mounts(mountinfo);
  if (!mounts.ok()) return mounts.status();
  // The directory of `path` in the first mount that `fits` and holds it.
  auto dir_of = [&](const std::string& path, auto fits) -> std::optional<std::string> {
    for (const CgroupMount& mount : mounts.value()) {
      if (fits(mount) && below_root(mount, path)) return cgroup_dir("/", mount, path).string();
    }
    return std::nullopt;
  };
  OwnCgroupDirs out;
  for (const CgroupMembership& m : memberships.value()) {
    if (!m.path.starts_with('/')) continue;
    if (m.hierarchy_id == 0 && m.controllers.empty()) {
      if (!out.v2) out.v2 = dir_of(m.path, [](const CgroupMount& mount) { return mount.v2; });
      continue;
    }
    for (const std::string& controller : m.controllers) {
      auto dir = dir_of(m.path, [&](const CgroupMount& mount) {
        return !mount.v2 && has(mount.controllers, controller);
      });
      if (dir) out.v1[controller] = std::move(*dir);
    }
  }
  return out;
}

core::Result<CgroupPaths> detect_cgroups(const fs::path& root) {
  auto cgroup_text = detail::read_text(root / "proc/self/cgroup");
  if (!cgroup_text.ok()) return cgroup_text.status();
  auto mountinfo_text = detail::read_text(root / "proc/self/mountinfo");
  if (!mountinfo_text.ok()) return mountinfo_text.status();
  auto memberships = parse_proc_self_cgroup(cgroup_text.value());
  if (!memberships.ok()) return memberships.status();
  auto mounts = parse_cgroup_mounts(mountinfo_text.value());
  if (!mounts.ok()) return mounts.status();

  const CgroupMembership* unified = nullptr;
  for (const auto& m : memberships.value()) {
    if (m.hierarchy_id == 0 && m.controllers.empty()) unified = &m;
  }
  const CgroupMount* unified_mount = nullptr;
  bool any_v1 = false;
  for (const auto& mount : mounts.value()) {
    if (mount.v2 && unified_mount == nullptr) unified_mount = &mount;
    if (!mount.v2 && !mount.controllers.empty()) any_v1 = true;
  }

  CgroupPaths paths;
  auto find = [&](std::string_view controller) -> std::optional<ControllerDir> {
    for (const auto& m : memberships.value()) {
      if (!has(m.controllers, controller)) continue;
      // Of several mounts of one hierarchy (bind mounts), prefer one whose root holds us.
      const CgroupMount* best = nullptr;
      for (const auto& mount : mounts.value()) {
        if (mount.v2 || !has(mount.controllers, controller)) continue;
        const bool holds = below_root(mount, m.path).has_value();
        if (best == nullptr || holds) best = &mount;
        if (holds) break;
      }
      if (best != nullptr) {
        return ControllerDir{
            false, cgroup_dir(root, *best, m.path),
            (root / fs::path(best->mount_point).relative_path()).lexically_normal()};
      }
    }
    if (unified != nullptr && unified_mount != nullptr) {
      return ControllerDir{
          true, cgroup_dir(root, *unified_mount, unified->path),
          (root / fs::path(unified_mount->mount_point).relative_path()).lexically_normal()};
    }
    return std::nullopt;
  };
  paths.memory = find("memory");
  paths.cpu = find("cpu");
  paths.cpuacct = find("cpuacct");
  paths.cpuset = find("cpuset");

  bool v2 = unified != nullptr && unified_mount != nullptr;
  bool v1 = any_v1 && std::any_of(memberships.value().begin(), memberships.value().end(),
                                  [](const CgroupMembership& m) { return !m.controllers.empty(); });
  paths.version = v1 && v2 ? CgroupVersion::kHybrid
                  : v1     ? CgroupVersion::kV1
                  : v2     ? CgroupVersion::kV2
                           : CgroupVersion::kNone;
  return paths;
}

}  // namespace gaia::monitor
