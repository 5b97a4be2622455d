#include "exec/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "exec/detail/account.h"
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
  struct Bounded {
    const char* name;
    const std::optional<int64_t>* value;
    int64_t max;
  };
  const Bounded bounded[] = {
      {"limits.cpu_seconds", &spec.limits.cpu_seconds, kMaxCpuSeconds},
      {"limits.address_space_bytes", &spec.limits.address_space_bytes, kMaxBytes},
      {"limits.max_processes", &spec.limits.max_processes, kMaxProcesses},
      {"limits.open_files", &spec.limits.open_files, kMaxOpenFiles},
      {"memory_limit_bytes", &spec.memory_limit_bytes, kMaxBytes},
      {"cpu_limit_millicores", &spec.cpu_limit_millicores, kMaxCpuMillicores},
  };
  for (const Bounded& b : bounded) {
    if (*b.value && (**b.value <= 0 || **b.value > b.max)) {
      return core::Status::invalid_argument(std::string(b.name) + ": must be from 1 to " +
                                            std::to_string(b.max));
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
  if (limits.cpu_seconds) {
    int64_t hard = 0;
    if (__builtin_add_overflow(*limits.cpu_seconds, int64_t{1}, &hard)) hard = *limits.cpu_seconds;
    add(RLIMIT_CPU, *limits.cpu_seconds, hard);
  }
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

std::chrono::microseconds to_micros(int64_t us) { return std::chrono::microseconds(us); }

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

std::string supervisor_beside_executable() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("gaia_supervisor") : (exe.parent_path() / "gaia_supervisor").string();
}

// `allowed` with the HOME, USER and LOGNAME of `account` in place of the server's.
std::vector<std::string> env_for(const std::vector<std::string>& allowed,
                                 const detail::Account& account) {
  std::vector<std::string> out;
  for (const std::string& entry : allowed) {
    if (!entry.starts_with("HOME=") && !entry.starts_with("USER=") &&
        !entry.starts_with("LOGNAME=")) {
      out.push_back(entry);
    }
  }
  out.push_back("HOME=" + account.home);
  out.push_back("USER=" + account.name);
  out.push_back("LOGNAME=" + account.name);
  return out;
}

// One report from the supervisor; false when it is gone without one.
bool receive(int fd, detail::Report* report) {
  while (true) {
    const ssize_t n = ::recv(fd, report, sizeof *report, 0);
    if (n == static_cast<ssize_t>(sizeof *report)) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

ProcessRunner::ProcessRunner(const core::Clock& clock, ProcessRunnerOptions options)
    : clock_(clock), options_(std::move(options)) {
  const std::vector<std::string> allowed = detail::filter_allowed_env(
      options_.server_env ? *options_.server_env : detail::current_environ());
  supervisor_ =
      options_.supervisor_path.empty() ? supervisor_beside_executable() : options_.supervisor_path;
  if (::access(supervisor_.c_str(), X_OK) != 0) {
    status_ = core::Status::not_found("cannot run the supervisor " + supervisor_ + ": " +
                                      std::strerror(errno));
  }

  // Only root can switch users; anyone else runs commands as itself.
  const bool switching = ::geteuid() == 0;
  auto identity = [&](const std::string& name) -> core::Result<Identity> {
    if (!switching || name.empty()) {
      return Identity{detail::account_of(::geteuid()).name, std::nullopt, allowed};
    }
    auto account = detail::find_account(name);
    if (!account.ok()) return account.status();
    return Identity{account->name, account->credentials, env_for(allowed, account.value())};
  };
  auto uid_of = [](const Identity& i) -> int64_t {
    return i.credentials ? i.credentials->uid : ::geteuid();
  };
  auto made = identity(options_.exec_user);
  if (made.ok()) {
    default_identity_ = std::move(made.value());
  } else if (status_.ok()) {
    status_ = core::Status::not_found(
        "the account commands run as: " + made.status().message() +
        " (create it: useradd --system --no-create-home --shell /usr/sbin/nologin " +
        options_.exec_user + "; or configure another)");
  }
  run_as_.user = default_identity_.account;
  run_as_.uid = uid_of(default_identity_);
  run_as_.switching = switching;
  run_as_.root = run_as_.uid == 0;
  for (const auto& [user, account] : options_.user_accounts) {
    auto mapped = identity(account);
    if (!mapped.ok()) {
      if (status_.ok()) {
        status_ = core::Status::not_found("the account of user '" + user +
                                          "': " + mapped.status().message());
      }
      continue;
    }
    run_as_.root = run_as_.root || uid_of(mapped.value()) == 0;
    mapped_identities_.emplace(user, std::move(mapped.value()));
  }
  run_as_.mapped_users = options_.user_accounts.size();
  if (!switching) {
    run_as_.note = "the server is not root and runs commands as itself (" + run_as_.user + ")";
  } else if (run_as_.root) {
    run_as_.note = "commands may run as root, as configured";
  } else {
    run_as_.note = "commands run as " + run_as_.user + " (uid " + std::to_string(run_as_.uid) +
                   ") with no new privileges";
  }

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

const ProcessRunner::Identity& ProcessRunner::identity_for(const std::string& owner) const {
  if (owner.empty()) return default_identity_;
  auto it = mapped_identities_.find(owner);
  return it == mapped_identities_.end() ? default_identity_ : it->second;
}

core::Result<Launch> ProcessRunner::prepare(const RunSpec& spec) const {
  if (core::Status s = validate(spec); !s.ok()) return s;
  const Identity& who = identity_for(spec.owner);
  auto changes = detail::env_changes(who.env, spec.env);
  if (!changes.ok()) return changes.status();
  Launch launch{spec.program, std::move(changes.value())};
  if (launch.program.empty()) {
    auto path = detail::resolve_program(spec.argv[0], detail::env_value(who.env, "PATH"), spec.cwd);
    if (!path.ok()) return path.status();
    launch.program = std::move(path.value());
  }
  return launch;
}

core::Result<RunResult> ProcessRunner::run(const RunSpec& spec, OutputSink* sink,
                                           const CancelToken* cancel) {
  if (!status_.ok()) return status_;
  auto path = prepare(spec);
  if (!path.ok()) return path.status();
  const Identity& who = identity_for(spec.owner);
  auto env = detail::build_child_env(who.env, spec.env);
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
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return core::Status::internal(std::string("socketpair: ") + std::strerror(errno));
  }
  UniqueFd control(detail::move_above_stdio(pair[0]));
  UniqueFd supervisor_end(detail::move_above_stdio(pair[1]));

  std::unique_ptr<detail::CommandCgroup> cgroup;
  const bool limited =
      spec.memory_limit_bytes || spec.cpu_limit_millicores || spec.limits.max_processes;
  if (cgroups_ && options_.cgroups == CgroupMode::kWhenLimited && !limited) {
    result.cgroup_note = "the command set no memory, CPU or process limit";
  } else if (cgroups_) {
    // The supervisor sits in the cgroup too: one more process than the command may have
    // (validate() bounds max_processes far below the overflow).
    std::optional<int64_t> pids;
    if (spec.limits.max_processes) pids = *spec.limits.max_processes + 1;
    auto made = cgroups_->create({spec.memory_limit_bytes, spec.cpu_limit_millicores, pids});
    if (made.ok()) {
      cgroup = std::move(made.value());
    } else {
      result.cgroup_note = made.status().message();
    }
  } else {
    result.cgroup_note = cgroup_note_;
  }
  result.cgroup_used = cgroup != nullptr;

  const detail::CommandSetup setup{who.credentials, rlimits_for(spec.limits), spec.cwd.value_or(""),
                                   std::move(path->program), spec.argv};
  detail::SpawnRequest request;
  request.path = supervisor_;
  request.argv = detail::encode_setup(supervisor_, setup);
  request.envp = std::move(env.value());
  if (cgroup) request.cgroup_procs_fds = cgroup->procs_fds();
  request.stdin_fd = devnull.get();
  request.stdout_fd = out_write.get();
  request.stderr_fd = err_write.get();
  request.control_fd = supervisor_end.get();

  const core::MonoTime start = clock_.mono_now();
  auto child = detail::spawn_child(request);
  if (!child.ok()) return child.status();
  const pid_t supervisor = child->pid;
  // Only the supervisor holds the write ends now, so EOF means every writer is gone.
  out_write.reset();
  err_write.reset();
  devnull.reset();
  supervisor_end.reset();

  detail::Report report;
  if (!receive(control.get(), &report)) {
    const int status = reap(supervisor);
    return core::Status::internal("the supervisor ended before starting the command (status " +
                                  std::to_string(status) + ")");
  }
  if (report.kind == detail::Report::Kind::kFailed) {
    reap(supervisor);
    return detail::setup_failure_status(report.failed_stage, report.failed_errno, setup,
                                        who.account);
  }

  const auto grace = options_.kill_grace;
  const std::optional<core::MonoTime> deadline =
      spec.timeout ? std::optional(start + *spec.timeout) : std::nullopt;
  enum class Stop { kNone, kTimeout, kCancel } stop = Stop::kNone;
  std::optional<core::MonoTime> kill_at;      // SIGKILL after SIGTERM
  std::optional<core::MonoTime> drain_until;  // after the end: last wait for pipe EOF
  bool killed = false;
  bool exited = false;
  bool reported = false;
  int status = 0;
  core::MonoTime end = start;
  std::array<char, 65536> buffer;

  // The supervisor signals the command's process group; it stays the command's parent, so
  // the group id cannot be reused meanwhile.
  auto tell = [&](detail::Control c) {
    const char byte = static_cast<char>(c);
    if (!exited) (void)::send(control.get(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  };

  while (true) {
    const core::MonoTime now = clock_.mono_now();
    if (!exited && stop == Stop::kNone) {
      if (cancel != nullptr && cancel->cancelled()) {
        stop = Stop::kCancel;
      } else if (deadline && now >= *deadline) {
        stop = Stop::kTimeout;
      }
      if (stop != Stop::kNone) {
        tell(detail::Control::kTerminate);
        kill_at = now + grace;
      }
    }
    if (!exited && kill_at && !killed && now >= *kill_at) {
      tell(detail::Control::kKill);
      killed = true;
    }
    if (exited && !out.fd.valid() && !err.fd.valid()) break;
    if (exited && now >= *drain_until) break;

    std::array<pollfd, 4> fds;
    nfds_t n = 0;
    int out_at = -1, err_at = -1, control_at = -1;
    if (out.fd.valid()) out_at = static_cast<int>(n), fds[n++] = {out.fd.get(), POLLIN, 0};
    if (err.fd.valid()) err_at = static_cast<int>(n), fds[n++] = {err.fd.get(), POLLIN, 0};
    if (!exited) control_at = static_cast<int>(n), fds[n++] = {control.get(), POLLIN, 0};
    if (!exited && stop == Stop::kNone && cancel != nullptr && cancel->wake_fd() >= 0) {
      fds[n++] = {cancel->wake_fd(), POLLIN, 0};
    }
    const int timeout = poll_timeout_ms(now, {stop == Stop::kNone ? deadline : std::nullopt,
                                              killed ? std::nullopt : kill_at, drain_until});
    const int ready = ::poll(fds.data(), n, timeout);
    if (ready < 0 && errno != EINTR) {
      spdlog::error("runner: poll: {}", std::strerror(errno));
      tell(detail::Control::kKill);  // never leave a command unsupervised
      killed = true;
      continue;
    }
    if (ready <= 0) continue;
    if (out_at >= 0 && fds[out_at].revents != 0) drain(out, buffer);
    if (err_at >= 0 && fds[err_at].revents != 0) drain(err, buffer);
    if (control_at >= 0 && fds[control_at].revents != 0) {
      // The supervisor reports once everything of the command is reaped, then exits; without
      // a report it died itself, and its own status is all there is to tell.
      reported = receive(control.get(), &report) && report.kind == detail::Report::Kind::kExited;
      const int supervisor_status = reap(supervisor);
      status = reported ? report.wait_status : supervisor_status;
      exited = true;
      end = clock_.mono_now();
      drain_until = end + grace;
    }
  }

  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  result.timed_out = stop == Stop::kTimeout;
  result.cancelled = stop == Stop::kCancel;
  result.wall_duration = end - start;
  if (reported) {
    result.user_cpu = to_micros(report.user_cpu_us);
    result.system_cpu = to_micros(report.system_cpu_us);
    result.peak_rss_bytes = report.peak_rss_bytes;
  }
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
