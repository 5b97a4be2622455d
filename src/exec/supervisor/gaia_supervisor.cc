// gaia_supervisor: runs one command for the runner and makes sure nothing it started outlives
// it. It stays in the server's user (root, for a server that switches users) while the command
// runs as its account, so the command can neither signal nor trace it.
//
// It marks itself a child subreaper (PR_SET_CHILD_SUBREAPER), so every process the command
// orphans (a daemon, `setsid sleep &`) becomes its child; forks the command and sets it up
// (detail/supervision.h); reports kStarted or kFailed; forwards the runner's Control bytes to
// the command's process group; and once the command has exited, SIGKILLs whatever remains
// among its children, round after round until none is left, reaps them all and reports
// kExited with the command's wait status and the rusage of everything it reaped. Its rusage
// is clean: it was exec'd, so the command's peak resident set is not the server's.
//
// Single-threaded. Usage: see encode_setup(); started only by the runner.

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "exec/detail/supervision.h"

extern char** environ;

namespace gaia::exec::detail {
namespace {

constexpr int kControlFd = 3;

void send_report(const Report& report) {
  while (::send(kControlFd, &report, sizeof report, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

// In the forked command: set up and exec; on failure tell the supervisor which step failed
// through `fail_fd` (close-on-exec, so a successful exec closes it empty).
[[noreturn]] void become_command(const CommandSetup& setup, int fail_fd) {
  auto fail = [&](SetupStage stage) {
    const int32_t message[2] = {static_cast<int32_t>(stage), errno};
    if (::write(fail_fd, message, sizeof message) < 0) {
      // The supervisor then sees an empty pipe and a child that exited 127.
    }
    ::_exit(127);
  };
  ::setpgid(0, 0);  // a group of its own: the runner's SIGTERM and SIGKILL go to the group
  if (setup.credentials) {
    const Credentials& c = *setup.credentials;
    if (::setgroups(c.groups.size(), c.groups.data()) != 0 || ::setgid(c.gid) != 0 ||
        ::setuid(c.uid) != 0) {
      fail(SetupStage::kCredentials);
    }
  }
  // Neither setuid programs nor file capabilities give the command more than it has.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(SetupStage::kNoNewPrivs);
  // After the switch: RLIMIT_NPROC then counts the account's processes from here on, and
  // lowering a limit needs no privilege.
  for (const RlimitSetting& limit : setup.rlimits) {
    if (::setrlimit(static_cast<__rlimit_resource>(limit.resource), &limit.value) != 0) {
      fail(SetupStage::kRlimit);
    }
  }
  // As the account: a directory it may not enter is an error now, not a surprise later.
  if (!setup.cwd.empty() && ::chdir(setup.cwd.c_str()) != 0) fail(SetupStage::kChdir);
  std::vector<char*> argv;
  for (const std::string& a : setup.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(setup.path.c_str(), argv.data(), environ);
  fail(SetupStage::kExec);
  ::_exit(127);
}

// This process's children now: /proc/self/task/<pid>/children (one thread here), else a
// scan of /proc for processes whose parent we are.
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  std::ifstream list("/proc/self/task/" + std::to_string(self) + "/children");
  if (list) {
    for (pid_t pid; list >> pid;) out.push_back(pid);
    return out;
  }
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  while (const dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so from the last ')'.
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    pid_t ppid = 0;
    if (std::sscanf(text.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == self) {
      out.push_back(pid);
    }
  }
  ::closedir(proc);
  return out;
}

// SIGKILLs every child and reaps, until there is no child left: each process killed hands
// its own children to us (we are their subreaper), and they go in the next round.
void kill_and_reap_all() {
  while (true) {
    for (pid_t pid : children()) ::kill(pid, SIGKILL);
    if (::waitpid(-1, nullptr, 0) < 0 && errno == ECHILD) return;
  }
}

int supervise(const CommandSetup& setup) {
  ::fcntl(kControlFd, F_SETFD, FD_CLOEXEC);
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    send_report(
        {.kind = Report::Kind::kFailed, .failed_stage = SetupStage::kFork, .failed_errno = errno});
    return 1;
  }
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &chld, nullptr);
  const int sigfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

  int fail_pipe[2];
  if (sigfd < 0 || ::pipe2(fail_pipe, O_CLOEXEC) != 0) {
    send_report(
        {.kind = Report::Kind::kFailed, .failed_stage = SetupStage::kFork, .failed_errno = errno});
    return 1;
  }
  const pid_t pid = ::fork();
  if (pid == 0) become_command(setup, fail_pipe[1]);
  const int fork_errno = errno;
  ::close(fail_pipe[1]);
  if (pid < 0) {
    send_report({.kind = Report::Kind::kFailed,
                 .failed_stage = SetupStage::kFork,
                 .failed_errno = fork_errno});
    return 1;
  }
  int32_t failure[2];
  ssize_t n;
  while ((n = ::read(fail_pipe[0], failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  ::close(fail_pipe[0]);
  if (n == sizeof failure) {
    ::waitpid(pid, nullptr, 0);
    send_report({.kind = Report::Kind::kFailed,
                 .failed_stage = static_cast<SetupStage>(failure[0]),
                 .failed_errno = failure[1]});
    return 0;
  }
  send_report({.kind = Report::Kind::kStarted});

  // The output pipes must reach EOF when the command's processes are gone: we hold no end.
  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull >= 0) {
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::close(devnull);
  }

  bool runner_gone = false;
  while (true) {
    pollfd fds[2] = {{sigfd, POLLIN, 0}, {kControlFd, POLLIN, 0}};
    const int ready = ::poll(fds, runner_gone ? 1 : 2, -1);
    if (ready < 0 && errno != EINTR) ::kill(-pid, SIGKILL);
    if (ready <= 0) continue;
    if (fds[1].revents != 0) {
      char c = 0;
      const ssize_t got = ::recv(kControlFd, &c, 1, 0);
      if (got == 1 && c == static_cast<char>(Control::kTerminate)) {
        ::kill(-pid, SIGTERM);
      } else if (got == 1 && c == static_cast<char>(Control::kKill)) {
        ::kill(-pid, SIGKILL);
      } else if (got <= 0 && !(got < 0 && errno == EINTR)) {
        runner_gone = true;  // the server is gone: so is its command
        ::kill(-pid, SIGKILL);
      }
    }
    if (fds[0].revents != 0) {
      signalfd_siginfo info;
      while (::read(sigfd, &info, sizeof info) > 0) {
      }
    }
    // Reap orphans that died on their own; stop at the command, which is looked at only.
    siginfo_t info{};
    bool exited = false;
    while (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) {
      if (info.si_pid == pid) {
        exited = true;
        break;
      }
      ::waitpid(info.si_pid, nullptr, 0);
      info = {};
    }
    if (exited) break;
  }

  // The command ends with its first process: its group (the id is still ours until the reap)
  // and every other process it left behind go too.
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  kill_and_reap_all();
  struct rusage usage {};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  send_report({.kind = Report::Kind::kExited,
               .wait_status = status,
               .user_cpu_us = usage.ru_utime.tv_sec * 1'000'000LL + usage.ru_utime.tv_usec,
               .system_cpu_us = usage.ru_stime.tv_sec * 1'000'000LL + usage.ru_stime.tv_usec,
               .peak_rss_bytes = static_cast<int64_t>(usage.ru_maxrss) * 1024});  // KiB
  return 0;
}

}  // namespace
}  // namespace gaia::exec::detail

int main(int argc, char** argv) {
  auto setup = gaia::exec::detail::decode_setup(argc, argv);
  if (!setup.ok()) {
    gaia::exec::detail::send_report({.kind = gaia::exec::detail::Report::Kind::kFailed,
                                     .failed_stage = gaia::exec::detail::SetupStage::kFork,
                                     .failed_errno = EINVAL});
    return 2;
  }
  return gaia::exec::detail::supervise(setup.value());
}
