#pragma once
// What the runner and gaia_supervisor say to each other. Every command runs under its own
// supervisor: a small program the runner starts, which forks the command, switches it to its
// account, and stays its parent and subreaper until it and everything it started are gone.
//
// The runner passes the command's set-up as the supervisor's arguments (encode_setup; the
// supervisor decodes them), its environment as the supervisor's own, its stdin, stdout and
// stderr as fds 0-2, and one end of a SOCK_SEQPACKET socket pair as fd 3. Over that socket
// the runner sends Control bytes and the supervisor sends Reports, one per message: first
// kStarted or kFailed, then kExited once the command and all it left behind are reaped.
// EOF from the runner (the server is gone) makes the supervisor kill the command.
//
// Pure functions of their arguments; any thread.

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace gaia::exec::detail {

struct RlimitSetting {
  int resource;  // RLIMIT_*
  struct rlimit value;
};

// The local account a command runs as: setgroups(groups), setgid(gid), setuid(uid).
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

// What the supervisor does in the command's process between fork and exec, in this order:
// a new process group, the account (when set), PR_SET_NO_NEW_PRIVS, the limits, the working
// directory, execve.
struct CommandSetup {
  std::optional<Credentials> credentials;  // none: stay the supervisor's user
  std::vector<RlimitSetting> rlimits;
  std::string cwd;   // empty: the supervisor's
  std::string path;  // passed to execve as is
  std::vector<std::string> argv;
};

// The supervisor's argv: `supervisor`, the set-up as options, "--", path, argv.
std::vector<std::string> encode_setup(const std::string& supervisor, const CommandSetup& setup);
// The set-up from the supervisor's argv; kInvalidArgument on anything encode_setup never makes.
[[nodiscard]] core::Result<CommandSetup> decode_setup(int argc, const char* const* argv);

// Runner to supervisor, one byte each.
enum class Control : char {
  kTerminate = 'T',  // SIGTERM to the command's process group
  kKill = 'K',       // SIGKILL to the command's process group
};

// The step of CommandSetup that failed, for kFailed.
enum class SetupStage : int32_t { kFork = 1, kCredentials, kNoNewPrivs, kRlimit, kChdir, kExec };

// Supervisor to runner. Both ends are on one machine and one build: sent as raw bytes.
struct Report {
  enum class Kind : int32_t { kStarted = 1, kFailed, kExited };
  Kind kind = Kind::kStarted;
  SetupStage failed_stage = SetupStage::kFork;  // kFailed
  int32_t failed_errno = 0;                     // kFailed
  int32_t wait_status = 0;                      // kExited: the command's, as from wait4
  // kExited: rusage of every process of the command the supervisor reaped (the command, what
  // it left behind, and what those waited for): CPU summed, resident set the largest one.
  int64_t user_cpu_us = 0;
  int64_t system_cpu_us = 0;
  int64_t peak_rss_bytes = 0;
};

// Why the command never ran, as run() reports it: kNotFound for a missing program or cwd,
// kInvalidArgument for one that the account cannot execute or enter or a limit the kernel
// refuses, kInternal for the rest. `account` names the user it was to run as.
core::Status setup_failure_status(SetupStage stage, int err, const CommandSetup& setup,
                                  const std::string& account);

}  // namespace gaia::exec::detail
