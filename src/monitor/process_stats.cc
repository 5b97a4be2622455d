#include "monitor/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace gaia::monitor {

namespace {

core::Result<std::string> slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return core::Status::unavailable("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<uint64_t> number(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "btime N" of /proc/stat: the boot time in seconds since the epoch.
std::optional<int64_t> boot_time(std::string_view stat) {
  const size_t at = stat.find("\nbtime ");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(at + 7);
  auto v = number(rest.substr(0, rest.find('\n')));
  if (!v) return std::nullopt;
  return static_cast<int64_t>(*v);
}

}  // namespace

core::Result<ProcessStats> parse_self_stat(std::string_view text, int64_t boot_time_s,
                                           long ticks_per_second, long page_bytes) {
  // The command name (field 2) is in parentheses and may hold spaces or ')': the fields
  // after it begin past the last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) {
    return core::Status::invalid_argument("not a /proc/self/stat line");
  }
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest = text.substr(close + 1);
  size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && (rest[pos] == ' ' || rest[pos] == '\n')) ++pos;
    size_t end = pos;
    while (end < rest.size() && rest[end] != ' ' && rest[end] != '\n') ++end;
    if (end > pos) fields.push_back(rest.substr(pos, end - pos));
    pos = end;
  }
  // Fields (1-based, proc_pid_stat(5)): 14 utime, 15 stime, 22 starttime, 23 vsize, 24 rss.
  auto field = [&](size_t n) {
    return n - 3 < fields.size() ? number(fields[n - 3]) : std::nullopt;
  };
  auto utime = field(14), stime = field(15), start = field(22), vsize = field(23), rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss) {
    return core::Status::invalid_argument("a /proc/self/stat line with too few fields");
  }
  ProcessStats s;
  const double hz = static_cast<double>(ticks_per_second);
  s.cpu_seconds = static_cast<double>(*utime + *stime) / hz;
  s.start_time_unix = static_cast<double>(boot_time_s) + static_cast<double>(*start) / hz;
  s.virtual_bytes = *vsize;
  s.resident_bytes = *rss * static_cast<uint64_t>(page_bytes);
  return s;
}

core::Result<ProcessStats> read_process_stats(const std::filesystem::path& proc) {
  auto stat = slurp(proc / "stat");
  if (!stat.ok()) return stat.status();
  auto btime = boot_time(stat.value());
  if (!btime) return core::Status::invalid_argument("no btime in " + (proc / "stat").string());
  auto self = slurp(proc / "self" / "stat");
  if (!self.ok()) return self.status();
  auto s = parse_self_stat(self.value(), *btime, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
  if (!s.ok()) return s.status();
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc / "self" / "fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++s.value().open_fds;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) s.value().max_fds = limit.rlim_cur;
  return s;
}

}  // namespace gaia::monitor
