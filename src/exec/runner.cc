#include "exec/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "exec/detail/cgroup.h"
#include "exec/detail/environment.h"
#include "exec/detail/output_capture.h"
#include "exec/detail/spawn.h"
#include "exec/detail/unique_fd.h"

namespace gaia::exec {

using detail::UniqueFd;

CancelToken::CancelToken() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

CancelToken::~CancelToken() {
  if (fd_ >= 0) ::close(fd_);
}

void CancelToken::cancel() {
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  const uint64_t one = 1;
  if (fd_ >= 0 && ::write(fd_, &one, sizeof one) < 0) {
    // Counter overflow is impossible with one write; the flag alone still stops the run.
  }
}

namespace {

// The longest a run sleeps without looking at its clock and cancel flag. Bounds how late a
// clock without wake-ups (a test's manual clock, a missing eventfd or pidfd) is noticed.
constexpr std::chrono::milliseconds kPollSlice{100};

// Reads per stream per wake-up: one chatty stream cannot starve the other or the clock.
constexpr int kReadsPerWake = 4;

core::Status validate(const RunSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return core::Status::invalid_argument("argv: empty");
  }
  for (const std::string& arg : spec.argv) {
    if (arg.find('\0') != std::string::npos) {
      return core::Status::invalid_argument("argv: an argument contains a NUL byte");
    }
  }
  if (spec.cwd && (spec.cwd->empty() || spec.cwd->find('\0') != std::string::npos)) {
    return core::Status::invalid_argument("cwd: empty or contains a NUL byte");
  }
  if (spec.timeout && spec.timeout->count() <= 0) {
    return core::Status::invalid_argument("timeout: must be positive");
  }
  if (spec.output_cap_bytes < 0) {
    return core::Status::invalid_argument("output_cap_bytes: must not be negative");
  }
  const std::pair<const char*, const std::optional<int64_t>*> positive[] = {
      {"limits.cpu_seconds", &spec.limits.cpu_seconds},
      {"limits.address_space_bytes", &spec.limits.address_space_bytes},
      {"limits.max_processes", &spec.limits.max_processes},
      {"limits.open_files", &spec.limits.open_files},
      {"memory_limit_bytes", &spec.memory_limit_bytes},
      {"cpu_limit_millicores", &spec.cpu_limit_millicores},
  };
  for (const auto& [name, value] : positive) {
    if (*value && **value <= 0) {
      return core::Status::invalid_argument(std::string(name) + ": must be positive");
    }
  }
  return {};
}

// Limits never above the server's own hard limits (an unprivileged server cannot raise them).
std::vector<detail::RlimitSetting> rlimits_for(const ResourceLimits& limits) {
  std::vector<detail::RlimitSetting> out;
  auto add = [&](int resource, int64_t soft, int64_t hard) {
    struct rlimit current;
    if (::getrlimit(static_cast<__rlimit_resource>(resource), &current) != 0) return;
    rlim_t h = static_cast<rlim_t>(hard);
    if (current.rlim_max != RLIM_INFINITY) h = std::min(h, current.rlim_max);
    const rlim_t s = std::min(static_cast<rlim_t>(soft), h);
    out.push_back({resource, {s, h}});
  };
  // CPU: SIGXCPU at the soft limit lets the command report; SIGKILL one second later.
  if (limits.cpu_seconds) add(RLIMIT_CPU, *limits.cpu_seconds, *limits.cpu_seconds + 1);
  if (limits.address_space_bytes) {
    add(RLIMIT_AS, *limits.address_space_bytes, *limits.address_space_bytes);
  }
  if (limits.max_processes) add(RLIMIT_NPROC, *limits.max_processes, *limits.max_processes);
  if (limits.open_files) add(RLIMIT_NOFILE, *limits.open_files, *limits.open_files);
  return out;
}

core::Status make_pipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return core::Status::internal(std::string("pipe2: ") + std::strerror(errno));
  }
  // The child's ends are wired to 0-2 with dup2; none of ours may already sit there.
  read_end->reset(detail::move_above_stdio(fds[0]));
  write_end->reset(detail::move_above_stdio(fds[1]));
  if (!read_end->valid() || !write_end->valid()) {
    return core::Status::internal(std::string("fcntl: ") + std::strerror(errno));
  }
  ::fcntl(read_end->get(), F_SETFL, O_NONBLOCK);
  return {};
}

int poll_timeout_ms(core::MonoTime now, std::initializer_list<std::optional<core::MonoTime>> at) {
  auto timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(kPollSlice);
  for (const auto& t : at) {
    if (t) timeout = std::min(timeout, std::max(std::chrono::nanoseconds(0), *t - now));
  }
  // Round up so that a wake-up is never just short of the deadline.
  return static_cast<int>((timeout.count() + 999'999) / 1'000'000);
}

std::chrono::microseconds to_micros(const struct timeval& tv) {
  return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

// One stream's read end and where its bytes go.
struct Stream {
  UniqueFd fd;
  detail::OutputCapture capture;
};

// Reads what is there; closes the stream at EOF or on error.
void drain(Stream& s, std::array<char, 65536>& buffer) {
  for (int i = 0; i < kReadsPerWake && s.fd.valid(); ++i) {
    const ssize_t n = ::read(s.fd.get(), buffer.data(), buffer.size());
    if (n > 0) {
      s.capture.add(std::string_view(buffer.data(), static_cast<size_t>(n)));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      s.fd.reset();
    } else if (errno == EAGAIN) {
      return;
    }
  }
}

}  // namespace

ProcessRunner::ProcessRunner(const core::Clock& clock, ProcessRunnerOptions options)
    : clock_(clock), options_(std::move(options)) {
  allowed_env_ = detail::filter_allowed_env(options_.server_env ? *options_.server_env
                                                                : detail::current_environ());
  if (options_.cgroups == CgroupMode::kOff) {
    cgroup_note_ = "cgroups are off by configuration";
    return;
  }
  auto host = detail::CgroupHost::open(options_.proc_root);
  if (host.ok()) {
    cgroups_ = std::move(host.value());
    cgroup_note_ = cgroups_->description();
  } else {
    cgroup_note_ = host.status().message();
  }
}

ProcessRunner::~ProcessRunner() = default;

bool ProcessRunner::cgroups_available() const { return cgroups_ != nullptr; }

core::Result<Launch> ProcessRunner::prepare(const RunSpec& spec) const {
  if (core::Status s = validate(spec); !s.ok()) return s;
  auto changes = detail::env_changes(allowed_env_, spec.env);
  if (!changes.ok()) return changes.status();
  Launch launch{spec.program, std::move(changes.value())};
  if (launch.program.empty()) {
    auto path =
        detail::resolve_program(spec.argv[0], detail::env_value(allowed_env_, "PATH"), spec.cwd);
    if (!path.ok()) return path.status();
    launch.program = std::move(path.value());
  }
  return launch;
}

core::Result<RunResult> ProcessRunner::run(const RunSpec& spec, OutputSink* sink,
                                           const CancelToken* cancel) {
  auto path = prepare(spec);
  if (!path.ok()) return path.status();
  auto env = detail::build_child_env(allowed_env_, spec.env);
  if (!env.ok()) return env.status();

  RunResult result;
  Stream out{UniqueFd(), detail::OutputCapture(OutputStream::kStdout, spec.output_cap_bytes,
                                               &result.out, sink)};
  Stream err{UniqueFd(), detail::OutputCapture(OutputStream::kStderr, spec.output_cap_bytes,
                                               &result.err, sink)};
  UniqueFd out_write, err_write;
  if (core::Status s = make_pipe(&out.fd, &out_write); !s.ok()) return s;
  if (core::Status s = make_pipe(&err.fd, &err_write); !s.ok()) return s;
  UniqueFd devnull(detail::move_above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
  if (!devnull.valid()) {
    return core::Status::internal(std::string("open /dev/null: ") + std::strerror(errno));
  }

  std::unique_ptr<detail::CommandCgroup> cgroup;
  const bool limited =
      spec.memory_limit_bytes || spec.cpu_limit_millicores || spec.limits.max_processes;
  if (cgroups_ && options_.cgroups == CgroupMode::kWhenLimited && !limited) {
    result.cgroup_note = "the command set no memory, CPU or process limit";
  } else if (cgroups_) {
    auto made = cgroups_->create(
        {spec.memory_limit_bytes, spec.cpu_limit_millicores, spec.limits.max_processes});
    if (made.ok()) {
      cgroup = std::move(made.value());
    } else {
      result.cgroup_note = made.status().message();
    }
  } else {
    result.cgroup_note = cgroup_note_;
  }
  result.cgroup_used = cgroup != nullptr;

  detail::SpawnRequest request;
  request.path = std::move(path->program);
  request.argv = spec.argv;
  request.envp = std::move(env.value());
  request.cwd = spec.cwd.value_or("");
  request.rlimits = rlimits_for(spec.limits);
  if (cgroup) request.cgroup_procs_fds = cgroup->procs_fds();
  request.stdin_fd = devnull.get();
  request.stdout_fd = out_write.get();
  request.stderr_fd = err_write.get();

  const core::MonoTime start = clock_.mono_now();
  auto child = detail::spawn_child(request);
  if (!child.ok()) return child.status();
  const pid_t pid = child->pid;
  // Only the child holds the write ends now, so EOF means every writer is gone.
  out_write.reset();
  err_write.reset();
  devnull.reset();
  // Without a pidfd (kernels before 5.3) the loop checks the child every poll slice.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  const auto grace = options_.kill_grace;
  const std::optional<core::MonoTime> deadline =
      spec.timeout ? std::optional(start + *spec.timeout) : std::nullopt;
  enum class Stop { kNone, kTimeout, kCancel } stop = Stop::kNone;
  std::optional<core::MonoTime> kill_at;      // SIGKILL after SIGTERM
  std::optional<core::MonoTime> drain_until;  // after the reap: last wait for pipe EOF
  bool killed = false;
  bool pidfd_ready = !pidfd.valid();
  bool reaped = false;
  int status = 0;
  struct rusage usage {};
  core::MonoTime end = start;
  std::array<char, 65536> buffer;

  // The group id is the child's pid, which stays ours until the child is reaped: signalling
  // -pid is safe exactly until then, so every group signal happens before the reap.
  auto signal_group = [&](int sig) {
    if (!reaped) ::kill(-pid, sig);
    if (sig == SIGKILL && cgroup) cgroup->kill_all();
  };

  while (true) {
    const core::MonoTime now = clock_.mono_now();
    if (!reaped && stop == Stop::kNone) {
      if (cancel != nullptr && cancel->cancelled()) {
        stop = Stop::kCancel;
      } else if (deadline && now >= *deadline) {
        stop = Stop::kTimeout;
      }
      if (stop != Stop::kNone) {
        signal_group(SIGTERM);
        kill_at = now + grace;
      }
    }
    if (!reaped && kill_at && !killed && now >= *kill_at) {
      signal_group(SIGKILL);
      killed = true;
    }
    if (!reaped && pidfd_ready) {
      // Look without reaping, so the group can still be signalled by id.
      siginfo_t info{};
      if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
        // The command ends with its first process: what it left behind goes too.
        signal_group(SIGKILL);
        while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
        }
        reaped = true;
        end = clock_.mono_now();
        drain_until = end + grace;
      } else if (!pidfd.valid()) {
        pidfd_ready = true;  // poll again next slice
      } else {
        pidfd_ready = false;
      }
    }
    if (reaped && !out.fd.valid() && !err.fd.valid()) break;
    // A process that left the group (setsid) and the cgroup can hold the pipes forever.
    if (reaped && now >= *drain_until) break;

    std::array<pollfd, 4> fds;
    nfds_t n = 0;
    int out_at = -1, err_at = -1, pid_at = -1;
    if (out.fd.valid()) out_at = static_cast<int>(n), fds[n++] = {out.fd.get(), POLLIN, 0};
    if (err.fd.valid()) err_at = static_cast<int>(n), fds[n++] = {err.fd.get(), POLLIN, 0};
    if (!reaped && pidfd.valid()) pid_at = static_cast<int>(n), fds[n++] = {pidfd.get(), POLLIN, 0};
    if (!reaped && stop == Stop::kNone && cancel != nullptr && cancel->wake_fd() >= 0) {
      fds[n++] = {cancel->wake_fd(), POLLIN, 0};
    }
    const int timeout = poll_timeout_ms(now, {stop == Stop::kNone ? deadline : std::nullopt,
                                              killed ? std::nullopt : kill_at, drain_until});
    const int ready = ::poll(fds.data(), n, timeout);
    if (ready < 0 && errno != EINTR) {
      spdlog::error("runner: poll: {}", std::strerror(errno));
      signal_group(SIGKILL);  // never leave a command unsupervised
      killed = true;
      continue;
    }
    if (ready <= 0) continue;
    if (out_at >= 0 && fds[out_at].revents != 0) drain(out, buffer);
    if (err_at >= 0 && fds[err_at].revents != 0) drain(err, buffer);
    if (pid_at >= 0 && fds[pid_at].revents != 0) pidfd_ready = true;
  }

  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  result.timed_out = stop == Stop::kTimeout;
  result.cancelled = stop == Stop::kCancel;
  result.wall_duration = end - start;
  result.user_cpu = to_micros(usage.ru_utime);
  result.system_cpu = to_micros(usage.ru_stime);
  result.peak_rss_bytes = static_cast<int64_t>(usage.ru_maxrss) * 1024;  // KiB on Linux
  if (cgroup) {
    cgroup->kill_all();
    const detail::CgroupUsage cg = cgroup->usage();
    result.cgroup_peak_memory_bytes = cg.peak_memory_bytes;
    result.memory_limit_hit = cg.oom_kills > 0;
    if (cg.user_cpu && cg.system_cpu) {
      result.user_cpu = *cg.user_cpu;
      result.system_cpu = *cg.system_cpu;
    }
    cgroup.reset();  // removes it
  }
  return result;
}

}  // namespace gaia::exec
