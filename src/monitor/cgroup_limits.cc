#include "monitor/cgroup_limits.h"

#include <algorithm>

#include "monitor/detail/text.h"

namespace gaia::monitor {

namespace fs = std::filesystem;

namespace {

std::optional<uint64_t> read_u64(const fs::path& file) {
  auto line = detail::read_line(file);
  if (!line) return std::nullopt;
  return detail::parse_u64(*line);
}

// The value of `key` in a flat-keyed file ("key value" lines) such as memory.stat.
std::optional<uint64_t> read_keyed(const fs::path& file, std::string_view key) {
  auto text = detail::read_text(file);
  if (!text.ok()) return std::nullopt;
  for (std::string_view line : detail::lines(text.value())) {
    auto fields = detail::split_ws(line);
    if (fields.size() == 2 && fields[0] == key) return detail::parse_u64(fields[1]);
  }
  return std::nullopt;
}

struct MemoryLevel {
  std::optional<uint64_t> limit;
  std::optional<uint64_t> working_set;
};

MemoryLevel read_memory_level(const fs::path& dir, bool v2) {
  MemoryLevel level;
  // v2 writes "max" for no limit, which parse_u64 rejects: no limit either way.
  level.limit = read_u64(dir / (v2 ? "memory.max" : "memory.limit_in_bytes"));
  auto usage = read_u64(dir / (v2 ? "memory.current" : "memory.usage_in_bytes"));
  if (usage) {
    uint64_t inactive =
        read_keyed(dir / "memory.stat", v2 ? "inactive_file" : "total_inactive_file").value_or(0);
    level.working_set = *usage > inactive ? *usage - inactive : 0;
  }
  return level;
}

// CPUs granted by the quota files of one cgroup directory, or nullopt for none.
std::optional<double> read_quota(const fs::path& dir, bool v2) {
  if (v2) {
    auto line = detail::read_line(dir / "cpu.max");
    return line ? parse_cpu_max(*line) : std::nullopt;
  }
  auto quota_line = detail::read_line(dir / "cpu.cfs_quota_us");
  if (!quota_line) return std::nullopt;
  auto quota = detail::parse_i64(*quota_line);
  if (!quota || *quota <= 0) return std::nullopt;  // -1: unlimited
  auto period = read_u64(dir / "cpu.cfs_period_us").value_or(100000);
  if (period == 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(period);
}

std::optional<int> read_cpuset_count(const ControllerDir& cpuset) {
  // v2 cpuset.cpus.effective; v1 cpuset.effective_cpus, older v1 only cpuset.cpus.
  const char* names[] = {"cpuset.cpus.effective", "cpuset.effective_cpus", "cpuset.cpus"};
  for (const char* name : names) {
    auto line = detail::read_line(cpuset.dir / name);
    if (line && !line->empty()) return count_cpu_list(*line);
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> parse_cpu_max(std::string_view text) {
  auto fields = detail::split_ws(core::trim(text, detail::kWhitespace));
  if (fields.empty() || fields[0] == "max") return std::nullopt;
  auto quota = detail::parse_u64(fields[0]);
  uint64_t period = 100000;
  if (fields.size() > 1) {
    auto p = detail::parse_u64(fields[1]);
    if (!p) return std::nullopt;
    period = *p;
  }
  if (!quota || *quota == 0 || period == 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(period);
}

std::optional<int> count_cpu_list(std::string_view text) {
  text = core::trim(text, detail::kWhitespace);
  if (text.empty()) return std::nullopt;
  int count = 0;
  for (std::string_view part : detail::split(text, ',')) {
    size_t dash = part.find('-');
    auto lo = detail::parse_u64(part.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : detail::parse_u64(part.substr(dash + 1));
    if (!lo || !hi || *hi < *lo) return std::nullopt;
    count += static_cast<int>(*hi - *lo + 1);
  }
  return count;
}

CgroupMemory read_cgroup_memory(const ControllerDir& memory, uint64_t host_total_bytes) {
  CgroupMemory out;
  for (const fs::path& dir : memory.up_the_tree()) {
    MemoryLevel level = read_memory_level(dir, memory.v2);
    if (!level.limit || *level.limit >= host_total_bytes || *level.limit == 0) continue;
    if (!out.limit_bytes || *level.limit < *out.limit_bytes) out.limit_bytes = level.limit;
    if (!level.working_set) continue;
    double pct = std::min(
        100.0, 100.0 * static_cast<double>(*level.working_set) / static_cast<double>(*level.limit));
    if (!out.used_pct || pct > *out.used_pct) {
      out.used_pct = pct;
      out.usage_bytes = level.working_set;
    }
  }
  return out;
}

CgroupCpu read_cgroup_cpu(const CgroupPaths& paths) {
  CgroupCpu out;
  size_t levels_up = 0;  // where the tightest quota sits, counted from the process's cgroup
  if (paths.cpu) {
    auto tree = paths.cpu->up_the_tree();
    for (size_t i = 0; i < tree.size(); ++i) {
      auto cpus = read_quota(tree[i], paths.cpu->v2);
      if (cpus && (!out.limit_cpus || *cpus < *out.limit_cpus)) {
        out.limit_cpus = cpus;
        levels_up = i;
      }
    }
  }
  if (paths.cpuset) {
    auto count = read_cpuset_count(*paths.cpuset);
    if (count && *count > 0 && (!out.limit_cpus || *count < *out.limit_cpus)) {
      out.limit_cpus = static_cast<double>(*count);
      levels_up = 0;
    }
  }
  // Usage of the cgroup at the same depth in the accounting hierarchy: v2's own cpu.stat,
  // v1's cpuacct (which may be mounted apart from cpu).
  if (paths.cpu && paths.cpu->v2) {
    auto tree = paths.cpu->up_the_tree();
    if (levels_up < tree.size()) {
      out.usage_dir = tree[levels_up];
      out.usage_us = read_keyed(out.usage_dir / "cpu.stat", "usage_usec");
    }
  } else if (paths.cpuacct) {
    auto tree = paths.cpuacct->up_the_tree();
    if (levels_up < tree.size()) {
      out.usage_dir = tree[levels_up];
      auto ns = read_u64(out.usage_dir / "cpuacct.usage");
      if (ns) out.usage_us = *ns / 1000;
    }
  }
  return out;
}

}  // namespace gaia::monitor
