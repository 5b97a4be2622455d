#pragma once
// The process runner: runs one command from an argv (never through a shell) under limits,
// streams and captures its output, stops it on timeout or cancellation, and measures what it
// cost. `Runner` is the role the executor depends on; `ProcessRunner` runs real processes.
//
// A run blocks the calling thread (a scheduler worker) until the command and everything it
// started are gone. ProcessRunner is thread-safe: any number of threads may run commands at
// once. It installs no signal handlers: each command runs under its own supervisor process
// (gaia_supervisor), which reports to the run over a socket.
//
// Commands never run with more privilege than their account: a root server runs each one as
// the configured account (ProcessRunnerOptions::exec_user, or the account mapped to the
// command's owner), always with PR_SET_NO_NEW_PRIVS; nothing a command starts outlives it.
//
// Example:
//   ProcessRunner runner(clock);
//   RunSpec spec;
//   spec.argv = {"make", "-j2"};
//   spec.timeout = std::chrono::seconds(60);
//   spec.memory_limit_bytes = 512 << 20;
//   Result<RunResult> r = runner.run(spec, &sink, &cancel);
//   if (!r.ok()) ...            // could not start: no such program, bad cwd, bad spec
//   else if (r->exit_code != 0) // the command ran and failed
//
// See docs/runner.md for the spawn sequence, the cgroup layout and what each number means.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "exec/detail/supervision.h"

namespace gaia::exec {

// Upper bounds of every figure a RunSpec takes, so no arithmetic on them can overflow.
inline constexpr int64_t kMaxCpuSeconds = int64_t{1} << 40;           // RLIMIT_CPU
inline constexpr int64_t kMaxBytes = int64_t{1} << 50;                // 1 PiB
inline constexpr int64_t kMaxProcesses = int64_t{1} << 22;            // PID_MAX_LIMIT
inline constexpr int64_t kMaxOpenFiles = int64_t{1} << 30;            // above fs.nr_open
inline constexpr int64_t kMaxCpuMillicores = int64_t{1000} * 100000;  // 100k CPUs

// Per-process limits set with setrlimit(2) in the command before exec. Each is optional.
struct ResourceLimits {
  // RLIMIT_CPU: SIGXCPU at this many seconds of CPU time, SIGKILL one second later.
  std::optional<int64_t> cpu_seconds;
  // RLIMIT_AS: allocations past this fail (malloc returns null); the kernel reports nothing.
  std::optional<int64_t> address_space_bytes;
  // RLIMIT_NPROC counts every process of the user, not only the command's, and does not bind
  // root; in a cgroup the same number also goes to pids.max, which counts the command's tree.
  std::optional<int64_t> max_processes;
  // RLIMIT_NOFILE.
  std::optional<int64_t> open_files;
};

struct RunSpec {
  // REQUIRES: non-empty; no argument contains a NUL byte.
  std::vector<std::string> argv;
  // The file to execute, absolute. Empty: argv[0] as Runner::prepare finds it, over the
  // server's PATH (never the command's own env). The executor fills it in before the command
  // is judged, so that what was judged is exactly what runs: no PATH search happens after.
  std::string program;
  // Working directory of the child; the server's own when empty.
  std::optional<std::string> cwd;
  // Explicit environment entries (name, value); they win over the inherited allowlist
  // (PATH, HOME, LANG, LC_*, TERM, TZ, USER). Names match [A-Za-z_][A-Za-z0-9_]*.
  std::vector<std::pair<std::string, std::string>> env;
  // Wall-clock limit: SIGTERM to the whole command, SIGKILL after the runner's grace period.
  std::optional<std::chrono::milliseconds> timeout;
  ResourceLimits limits;
  // cgroup limits, applied only when the run gets a cgroup (RunResult::cgroup_used).
  std::optional<int64_t> memory_limit_bytes;
  std::optional<int64_t> cpu_limit_millicores;  // 1000 = one CPU
  // Bytes kept (and streamed) per stream; the rest is read and dropped.
  int64_t output_cap_bytes = 1 << 20;
  // The Gaia user the command runs for: picks its account from ProcessRunnerOptions::
  // user_accounts (the default account when unmapped or empty).
  std::string owner;
};

enum class OutputStream { kStdout, kStderr };

// What a RunSpec will start, worked out before it runs so that this can be judged.
struct Launch {
  std::string program;  // the absolute path execve(2) gets
  // The explicit env entries whose value differs from what the command would inherit
  // (names outside the allowlist, or allowlisted names given another value), in order.
  std::vector<std::pair<std::string, std::string>> env_changes;
};

// Receives output as it arrives, on the thread that called run(). It sees exactly the bytes
// that are captured: nothing past a stream's cap. It must not block for long (the child's
// pipes fill meanwhile) and must not call run() on the same runner thread.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void on_output(OutputStream stream, std::string_view bytes) = 0;
};

// Stops a run from another thread, e.g. when the client went away. One token per run.
// cancel() is thread-safe and idempotent; a run that starts after cancel() stops at once.
class CancelToken {
 public:
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Readable once cancelled; -1 if no eventfd could be made (the run then notices the flag
  // within its poll slice).
  int wake_fd() const { return fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int fd_ = -1;
};

struct CapturedOutput {
  std::string bytes;        // at most the cap
  int64_t total_bytes = 0;  // everything the command wrote, kept or not
  bool truncated = false;   // total_bytes > bytes.size()
};

struct RunResult {
  // Exactly one of these describes the end: exit_code >= 0, or term_signal > 0.
  int exit_code = -1;
  int term_signal = 0;
  bool timed_out = false;  // the wall-clock timeout stopped it
  bool cancelled = false;  // CancelToken::cancel stopped it
  // Set by the executor: it was cancelled because the server shut down (its grace ran out).
  bool cancelled_by_shutdown = false;
  // True when the memory limit was hit: an OOM kill in the command's cgroup. Under
  // RLIMIT_AS only a failed allocation happens, which the kernel does not report: false.
  bool memory_limit_hit = false;

  std::chrono::nanoseconds wall_duration{0};  // spawn to reap, by the runner's Clock
  // CPU time of the command: the cgroup's counters when in a cgroup (the whole tree),
  // else the rusage of every process of the command its supervisor reaped.
  std::chrono::microseconds user_cpu{0};
  std::chrono::microseconds system_cpu{0};
  // ru_maxrss in bytes of the command's processes as the supervisor reaped them: the largest
  // resident set of one of them, never a sum; never the server's.
  int64_t peak_rss_bytes = 0;
  // The cgroup's peak memory (memory.peak, or memory.max_usage_in_bytes on v1): the whole
  // tree at once, page cache included. Absent without a cgroup or on kernels before 5.19.
  std::optional<int64_t> cgroup_peak_memory_bytes;

  bool cgroup_used = false;
  std::string cgroup_note;  // why no cgroup was used, when cgroup_used is false

  CapturedOutput out;
  CapturedOutput err;
};

// Who commands run as, for /health and the start-up lines.
struct RunAs {
  std::string user;         // the default account's name
  int64_t uid = -1;         // and its uid
  bool switching = false;   // false: the server is not root and runs commands as itself
  bool root = false;        // some command may run as root (explicit configuration only)
  size_t mapped_users = 0;  // Gaia users with an account of their own
  std::string note;         // one line for a person
};

// The role: run one command to completion.
class Runner {
 public:
  virtual ~Runner() = default;
  // Runs `spec` and blocks until the command and all it started have ended. A command that
  // ran, whatever its outcome, is a RunResult. An error Status means it never ran: an
  // invalid spec (kInvalidArgument), a program or cwd that does not exist (kNotFound), one
  // that cannot be executed (kInvalidArgument), or a system failure (kInternal).
  // `sink` and `cancel` may be null; both must outlive the call.
  [[nodiscard]] virtual core::Result<RunResult> run(const RunSpec& spec, OutputSink* sink,
                                                    const CancelToken* cancel) = 0;

  // What run(spec) would start: spec.program when set, else argv[0] found over the server's
  // allowlisted PATH (absolute and relative PATH entries of the request never count; a name
  // with a '/' is taken from spec.cwd). Fails as run() would for an invalid spec or a
  // program that is missing or cannot be executed.
  [[nodiscard]] virtual core::Result<Launch> prepare(const RunSpec& spec) const = 0;
};

enum class CgroupMode {
  kAuto,  // a cgroup per command when the machine lets us create one, else rlimits only
  // A cgroup only for a command with a memory, CPU or process limit (creating one costs a
  // few file writes per controller; see docs/runner.md), else rlimits only.
  kWhenLimited,
  kOff,  // rlimits only
};

struct ProcessRunnerOptions {
  CgroupMode cgroups = CgroupMode::kAuto;
  // Where the runner reads self/cgroup and self/mountinfo to find its own cgroup; tests
  // point it at a fake tree.
  std::string proc_root = "/proc";
  // Between SIGTERM and SIGKILL on timeout or cancel.
  std::chrono::milliseconds kill_grace{2000};
  // The environment the allowlist is taken from, as NAME=value; the server's own environ
  // (read at construction) when absent.
  std::optional<std::vector<std::string>> server_env;
  // The local account commands run as when this process is root (see docs/runner.md):
  // empty means this process's own user. A process that is not root cannot switch and runs
  // every command as itself, whatever is set here.
  std::string exec_user;
  // Gaia user name -> local account, for commands whose RunSpec::owner is that user.
  std::map<std::string, std::string> user_accounts;
  // The gaia_supervisor program; empty: the one beside this process's executable.
  std::string supervisor_path;
};

namespace detail {
class CgroupHost;
}

class ProcessRunner : public Runner {
 public:
  // `clock` drives timeouts and durations and must outlive the runner. With
  // CgroupMode::kAuto the constructor finds the runner's cgroup and, on cgroup v2, may move
  // this process into a leaf "gaia-server" so that command cgroups can have controllers.
  // It looks up the accounts and the supervisor once; status() says whether that worked.
  explicit ProcessRunner(const core::Clock& clock, ProcessRunnerOptions options = {});
  ~ProcessRunner() override;

  [[nodiscard]] core::Result<RunResult> run(const RunSpec& spec, OutputSink* sink,
                                            const CancelToken* cancel) override;
  [[nodiscard]] core::Result<Launch> prepare(const RunSpec& spec) const override;

  // Whether the runner can run anything: kNotFound names a missing account or supervisor.
  // While not ok, every run() answers it.
  const core::Status& status() const { return status_; }
  // Who commands run as.
  const RunAs& run_as() const { return run_as_; }

  // Whether runs get a cgroup, and if not why (for /health and start-up lines).
  bool cgroups_available() const;
  const std::string& cgroup_note() const { return cgroup_note_; }

 private:
  // An account and the environment entries that go with it (HOME, USER, LOGNAME).
  struct Identity {
    std::string account;
    std::optional<detail::Credentials> credentials;  // none: run as this process
    std::vector<std::string> env;                    // the allowlist with the account's entries
  };
  const Identity& identity_for(const std::string& owner) const;

  const core::Clock& clock_;
  const ProcessRunnerOptions options_;
  std::string supervisor_;
  Identity default_identity_;
  std::map<std::string, Identity> mapped_identities_;
  RunAs run_as_;
  core::Status status_;
  std::unique_ptr<detail::CgroupHost> cgroups_;  // null when unavailable
  std::string cgroup_note_;
};

}  // namespace gaia::exec
