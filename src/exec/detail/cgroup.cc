#include "exec/detail/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

#include "monitor/cgroup_paths.h"

namespace gaia::exec::detail {

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to an existing cgroup file in one write(2), as the kernel wants. Returns 0 or
// the errno.
int write_file(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno;
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return errno;
  }
  return 0;
}

std::string error_text(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

std::optional<int64_t> parse_int(const std::string& text) {
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data() + start, text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data() + start) return std::nullopt;
  return v;
}

// The value of `key` in a flat-keyed file ("key value" lines).
std::optional<int64_t> keyed_value(const std::optional<std::string>& text, const std::string& key) {
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  std::string k, v;
  while (in >> k >> v) {
    if (k == key) return parse_int(v);
  }
  return std::nullopt;
}

// CPU time per 100 ms period for `millicores` (1000 = one CPU), at least 1 ms (the kernel's
// minimum quota). Checked: a figure too big for the product means no cap at all in effect,
// so the largest quota is used.
int64_t cpu_quota_us(int64_t millicores) {
  int64_t quota = 0;
  if (__builtin_mul_overflow(millicores, int64_t{100}, &quota)) {
    quota = std::numeric_limits<int64_t>::max();
  }
  return std::max<int64_t>(1000, quota);
}

std::set<std::string> words(const std::optional<std::string>& text) {
  std::set<std::string> out;
  if (!text) return out;
  std::istringstream in(*text);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

// Enables `want` for the children of `dir`; on EBUSY (processes in `dir` itself) first moves
// this whole process into the leaf `dir`/gaia-server.
core::Status enable_v2_controllers(const std::string& dir, const std::set<std::string>& want) {
  const std::set<std::string> have = words(read_file(dir + "/cgroup.subtree_control"));
  std::string add;
  for (const std::string& c : want) {
    if (!have.contains(c)) add += (add.empty() ? "+" : " +") + c;
  }
  if (add.empty()) return {};
  int err = write_file(dir + "/cgroup.subtree_control", add);
  if (err == EBUSY) {
    const std::string leaf = dir + "/gaia-server";
    if (::mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST) {
      return core::Status::unavailable(error_text("mkdir " + leaf, errno));
    }
    if (int e = write_file(leaf + "/cgroup.procs", "0"); e != 0) {
      return core::Status::unavailable(error_text("moving the server into " + leaf, e));
    }
    spdlog::info("cgroup: moved the server into {} so command cgroups can have controllers", leaf);
    err = write_file(dir + "/cgroup.subtree_control", add);
  }
  if (err != 0) {
    return core::Status::unavailable(error_text("enabling " + add + " in " + dir, err));
  }
  return {};
}

// Removes the empty command cgroups of servers that are gone (a crash or kill -9 skipped
// their clean-up): gaia-cmd-<pid>-<n> whose pid is not a live process. One that still holds
// processes is left alone: its pid may be of another pid namespace sharing this parent, and
// killing what runs there is not ours to decide. A reused pid keeps its directories too:
// wrongly kept is harmless, wrongly removed is not.
void remove_stale_command_cgroups(const std::set<std::string>& parents) {
  for (const std::string& parent : parents) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("gaia-cmd-", 0) != 0 || !entry.is_directory(ec)) continue;
      const std::optional<int64_t> pid = parse_int(name.substr(9));
      if (!pid || *pid <= 0 || *pid == ::getpid()) continue;
      if (::kill(static_cast<pid_t>(*pid), 0) == 0 || errno != ESRCH) continue;
      if (!words(read_file(entry.path().string() + "/cgroup.procs")).empty()) continue;
      if (::rmdir(entry.path().c_str()) == 0) {
        spdlog::info("cgroup: removed {}, left by a server that is gone", entry.path().string());
      } else {
        spdlog::warn("cgroup: {} left by a server that is gone cannot be removed: {}",
                     entry.path().string(), std::strerror(errno));
      }
    }
  }
}

}  // namespace

core::Result<std::unique_ptr<CgroupHost>> CgroupHost::open(const std::string& proc_root) {
  const auto self_cgroup = read_file(proc_root + "/self/cgroup");
  const auto mountinfo = read_file(proc_root + "/self/mountinfo");
  if (!self_cgroup || !mountinfo) {
    return core::Status::unavailable("cannot read " + proc_root + "/self/cgroup or mountinfo");
  }
  const core::Result<monitor::OwnCgroupDirs> found =
      monitor::parse_own_cgroup_dirs(*self_cgroup, *mountinfo);
  if (!found.ok()) return core::Status::unavailable(found.status().message());
  const monitor::OwnCgroupDirs& paths = found.value();

  std::string v2_reason = "no cgroup2 mount";
  if (paths.v2) {
    const std::string& dir = *paths.v2;
    const std::set<std::string> available = words(read_file(dir + "/cgroup.controllers"));
    if (!available.contains("memory")) {
      v2_reason = "cgroup v2 at " + dir + " has no memory controller";
    } else if (::access(dir.c_str(), W_OK) != 0) {
      v2_reason = "cgroup v2 at " + dir + " is not writable";
    } else {
      std::set<std::string> want;
      for (const char* c : {"memory", "cpu", "pids"}) {
        if (available.contains(c)) want.insert(c);
      }
      core::Status s = enable_v2_controllers(dir, want);
      if (s.ok()) {
        remove_stale_command_cgroups({dir});
        return std::unique_ptr<CgroupHost>(new CgroupHost(true, {{"", dir}}));
      }
      v2_reason = s.message();
    }
  }

  auto memory = paths.v1.find("memory");
  if (memory == paths.v1.end()) {
    return core::Status::unavailable(v2_reason + "; no cgroup v1 memory hierarchy");
  }
  if (::access(memory->second.c_str(), W_OK) != 0) {
    return core::Status::unavailable(v2_reason + "; cgroup v1 memory at " + memory->second +
                                     " is not writable");
  }
  std::map<std::string, std::string> parents;
  for (const char* c : {"memory", "cpu", "cpuacct", "pids"}) {
    auto it = paths.v1.find(c);
    if (it != paths.v1.end() && ::access(it->second.c_str(), W_OK) == 0) parents[c] = it->second;
  }
  std::set<std::string> dirs;
  for (const auto& [controller, dir] : parents) dirs.insert(dir);
  remove_stale_command_cgroups(dirs);
  return std::unique_ptr<CgroupHost>(new CgroupHost(false, std::move(parents)));
}

std::string CgroupHost::description() const {
  if (v2_) return "cgroup v2 at " + parents_.at("");
  std::string out = "cgroup v1:";
  for (const auto& [controller, dir] : parents_) out += " " + controller + " at " + dir + ";";
  out.pop_back();
  return out;
}

core::Result<std::unique_ptr<CommandCgroup>> CgroupHost::create(const CgroupLimits& limits) {
  auto has = [&](const char* controller) { return v2_ ? true : parents_.contains(controller); };
  if (limits.cpu_millicores && !has("cpu")) {
    return core::Status::unavailable("a CPU limit needs the cpu controller");
  }
  if (limits.max_processes && !has("pids")) {
    return core::Status::unavailable("a process limit needs the pids controller");
  }

  std::unique_ptr<CommandCgroup> cg(new CommandCgroup());
  cg->v2_ = v2_;
  // Directories that one process already has on disk (a crash, an earlier pid) are skipped.
  for (int attempt = 0; attempt < 8 && cg->dirs_.empty(); ++attempt) {
    cg->name_ = "gaia-cmd-" + std::to_string(::getpid()) + "-" + std::to_string(next_++);
    std::map<std::string, std::string> made;
    int err = 0;
    std::set<std::string> distinct;  // co-mounted controllers share one directory
    for (const auto& [controller, parent] : parents_) {
      // On v1 every hierarchy joined costs a migration (about 0.3-1 ms each here, see
      // docs/runner.md): cpu and pids only when their limit is asked for. memory (peak, OOM)
      // and cpuacct (CPU time of the whole tree) always.
      if ((controller == "cpu" && !limits.cpu_millicores) ||
          (controller == "pids" && !limits.max_processes)) {
        continue;
      }
      const std::string dir = parent + "/" + cg->name_;
      if (!distinct.insert(dir).second) {
        made[controller] = dir;
        continue;
      }
      if (::mkdir(dir.c_str(), 0755) != 0) {
        err = errno;
        break;
      }
      made[controller] = dir;
    }
    if (err == 0) {
      cg->dirs_ = std::move(made);
      break;
    }
    for (const std::string& dir : distinct) ::rmdir(dir.c_str());
    if (err != EEXIST) return core::Status::unavailable(error_text("mkdir " + cg->name_, err));
  }
  if (cg->dirs_.empty()) return core::Status::unavailable("no free cgroup name");
  // From here on the destructor removes what was made.

  std::vector<std::pair<std::string, std::string>> writes;  // path, value; all must succeed
  std::vector<std::pair<std::string, std::string>> optional_writes;
  if (v2_) {
    const std::string& d = cg->dirs_.at("");
    if (limits.memory_bytes) {
      writes.emplace_back(d + "/memory.max", std::to_string(*limits.memory_bytes));
      optional_writes.emplace_back(d + "/memory.swap.max", "0");   // the limit is a hard one
      optional_writes.emplace_back(d + "/memory.oom.group", "1");  // OOM takes the whole tree
    }
    if (limits.cpu_millicores) {
      writes.emplace_back(d + "/cpu.max",
                          std::to_string(cpu_quota_us(*limits.cpu_millicores)) + " 100000");
    }
    if (limits.max_processes) {
      writes.emplace_back(d + "/pids.max", std::to_string(*limits.max_processes));
    }
  } else {
    if (limits.memory_bytes) {
      const std::string& d = cg->dirs_.at("memory");
      const std::string bytes = std::to_string(*limits.memory_bytes);
      writes.emplace_back(d + "/memory.limit_in_bytes", bytes);
      // memsw must be >= the memory limit, so after it; absent without swap accounting.
      optional_writes.emplace_back(d + "/memory.memsw.limit_in_bytes", bytes);
    }
    if (limits.cpu_millicores) {
      const std::string& d = cg->dirs_.at("cpu");
      writes.emplace_back(d + "/cpu.cfs_period_us", "100000");
      writes.emplace_back(d + "/cpu.cfs_quota_us",
                          std::to_string(cpu_quota_us(*limits.cpu_millicores)));
    }
    if (limits.max_processes) {
      writes.emplace_back(cg->dirs_.at("pids") + "/pids.max",
                          std::to_string(*limits.max_processes));
    }
  }
  for (const auto& [path, value] : writes) {
    if (int err = write_file(path, value); err != 0) {
      return core::Status::unavailable(error_text("writing " + value + " to " + path, err));
    }
  }
  for (const auto& [path, value] : optional_writes) (void)write_file(path, value);

  std::set<std::string> distinct;
  for (const auto& [controller, dir] : cg->dirs_) {
    if (!distinct.insert(dir).second) continue;
    const std::string procs = dir + "/cgroup.procs";
    UniqueFd fd(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return core::Status::unavailable(error_text("open " + procs, errno));
    cg->raw_procs_fds_.push_back(fd.get());
    cg->procs_fds_.push_back(std::move(fd));
  }
  return cg;
}

void CommandCgroup::kill_all() {
  if (dirs_.empty()) return;
  const std::string& dir = dirs_.begin()->second;
  if (v2_ && write_file(dir + "/cgroup.kill", "1") == 0) return;
  // One by one: a process may fork between the read and the kill, hence the rounds.
  for (int round = 0; round < 16; ++round) {
    const auto procs = read_file(dir + "/cgroup.procs");
    if (!procs) return;
    std::istringstream in(*procs);
    bool any = false;
    for (pid_t pid; in >> pid;) {
      if (pid > 0) any = ::kill(pid, SIGKILL) == 0 || any;
    }
    if (!any) return;
  }
}

CgroupUsage CommandCgroup::usage() const {
  CgroupUsage u;
  if (dirs_.empty()) return u;
  auto micros = [](std::optional<int64_t> v) -> std::optional<std::chrono::microseconds> {
    if (!v) return std::nullopt;
    return std::chrono::microseconds(*v);
  };
  if (v2_) {
    const std::string& d = dirs_.at("");
    if (auto peak = read_file(d + "/memory.peak")) u.peak_memory_bytes = parse_int(*peak);
    u.oom_kills = keyed_value(read_file(d + "/memory.events"), "oom_kill").value_or(0);
    const auto stat = read_file(d + "/cpu.stat");
    u.user_cpu = micros(keyed_value(stat, "user_usec"));
    u.system_cpu = micros(keyed_value(stat, "system_usec"));
    return u;
  }
  const std::string& mem = dirs_.at("memory");
  if (auto peak = read_file(mem + "/memory.max_usage_in_bytes")) {
    u.peak_memory_bytes = parse_int(*peak);
  }
  u.oom_kills = keyed_value(read_file(mem + "/memory.oom_control"), "oom_kill").value_or(0);
  if (auto it = dirs_.find("cpuacct"); it != dirs_.end()) {
    auto ns_to_us = [](const std::optional<std::string>& text) -> std::optional<int64_t> {
      if (!text) return std::nullopt;
      auto v = parse_int(*text);
      if (!v) return std::nullopt;
      return *v / 1000;
    };
    u.user_cpu = micros(ns_to_us(read_file(it->second + "/cpuacct.usage_user")));
    u.system_cpu = micros(ns_to_us(read_file(it->second + "/cpuacct.usage_sys")));
  }
  return u;
}

CommandCgroup::~CommandCgroup() {
  procs_fds_.clear();
  raw_procs_fds_.clear();
  kill_all();
  std::set<std::string> distinct;
  for (const auto& [controller, dir] : dirs_) distinct.insert(dir);
  for (const std::string& dir : distinct) {
    // Killed processes take a moment to leave; rmdir fails with EBUSY until they have.
    bool removed = false;
    for (int attempt = 0; attempt < 100 && !removed; ++attempt) {
      removed = ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
      if (!removed && errno != EBUSY) break;
      if (!removed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!removed) spdlog::warn("cgroup {} not removed: {}", dir, std::strerror(errno));
  }
}

}  // namespace gaia::exec::detail
