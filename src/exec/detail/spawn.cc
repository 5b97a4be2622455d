#include "exec/detail/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gaia::exec::detail {

namespace {

// What the child failed at; written by the child, read by the parent after CLONE_VFORK
// returns, so no synchronisation beyond the vfork itself is needed.
enum class Stage : int { kNone = 0, kCgroup, kStdio, kExec };

// At the bottom of the child's stack mapping, which is shared, so that the parent reads it
// even when the child has memory of its own. volatile: written by the child, read after it
// is gone.
struct ChildReport {
  volatile Stage failed_stage;
  volatile int failed_errno;
};

// The child shares the server's memory: no copy of its page tables. Under TSan it gets a copy
// instead, because TSan's interceptors (sigaction, dup2, close...) run in the child too and
// would rewrite the parent's sanitizer state.
#if defined(__SANITIZE_THREAD__)
constexpr int kCloneFlags = CLONE_VFORK | SIGCHLD;
#else
constexpr int kCloneFlags = CLONE_VM | CLONE_VFORK | SIGCHLD;
#endif

struct ChildContext {
  const char* path;
  char* const* argv;
  char* const* envp;
  const int* cgroup_fds;
  size_t cgroup_fd_count;
  int stdin_fd, stdout_fd, stderr_fd, control_fd;
  ChildReport* report;
};

[[noreturn]] void child_fail(ChildContext* c, Stage stage) {
  c->report->failed_errno = errno;
  c->report->failed_stage = stage;
  _exit(127);
}

// Runs in the child, on its own stack, sharing the parent's memory (see kCloneFlags). Only
// async-signal-safe calls; no allocation, no locks, no C++ runtime.
int child_main(void* arg) {
  auto* c = static_cast<ChildContext*>(arg);

  // Handlers of the server must not run in the child; ignored signals (SIGPIPE) must not
  // stay ignored in the command. All signals are still blocked here (see spawn_child).
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < _NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);  // EINVAL: glibc's own
  }

  // The server keeps its own files private (umask 077, app/main.cc); a command creates files
  // as it would from a login shell.
  ::umask(022);

  ::setpgid(0, 0);  // a new group, so that one kill(-pgid) reaches every descendant

  for (size_t i = 0; i < c->cgroup_fd_count; ++i) {
    // "0" means the writing process; no number formatting needed here.
    if (::write(c->cgroup_fds[i], "0", 1) != 1) child_fail(c, Stage::kCgroup);
  }
  if (::dup2(c->stdin_fd, 0) < 0 || ::dup2(c->stdout_fd, 1) < 0 || ::dup2(c->stderr_fd, 2) < 0 ||
      ::dup2(c->control_fd, 3) < 0) {
    child_fail(c, Stage::kStdio);
  }
  ::close_range(4, ~0U, 0);  // fds the server opened without O_CLOEXEC stay with the server

  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  ::execve(c->path, c->argv, c->envp);
  child_fail(c, Stage::kExec);
}

std::vector<char*> to_c_array(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

core::Status failure_status(Stage stage, int err, const SpawnRequest& request) {
  const std::string reason = std::strerror(err);
  switch (stage) {
    case Stage::kExec:
      if (err == ENOENT || err == ENOTDIR) {
        return core::Status::not_found("cannot execute '" + request.path + "': " + reason);
      }
      if (err == EACCES || err == ENOEXEC || err == EISDIR || err == EPERM) {
        return core::Status::invalid_argument("cannot execute '" + request.path + "': " + reason);
      }
      return core::Status::internal("cannot execute '" + request.path + "': " + reason);
    case Stage::kCgroup:
      return core::Status::internal("cannot join the command's cgroup: " + reason);
    case Stage::kStdio:
      return core::Status::internal("cannot set up stdin/stdout/stderr: " + reason);
    case Stage::kNone:
      break;
  }
  return core::Status::internal("spawn failed: " + reason);
}

// Big enough for the child's few frames (glibc's posix_spawn uses 32 KiB plus argv).
constexpr size_t kChildStackBytes = 64 * 1024;

}  // namespace

int move_above_stdio(int fd) {
  if (fd < 0 || fd > 3) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 4);
  ::close(fd);
  return moved;
}

core::Result<SpawnedChild> spawn_child(const SpawnRequest& request) {
  std::vector<char*> argv = to_c_array(request.argv);
  std::vector<char*> envp = to_c_array(request.envp);

  ChildContext ctx{};
  ctx.path = request.path.c_str();
  ctx.argv = argv.data();
  ctx.envp = envp.data();
  ctx.cgroup_fds = request.cgroup_procs_fds.data();
  ctx.cgroup_fd_count = request.cgroup_procs_fds.size();
  ctx.stdin_fd = request.stdin_fd;
  ctx.stdout_fd = request.stdout_fd;
  ctx.stderr_fd = request.stderr_fd;
  ctx.control_fd = request.control_fd;

  void* stack = ::mmap(nullptr, kChildStackBytes, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    return core::Status::internal(std::string("mmap of the spawn stack: ") + std::strerror(errno));
  }
  // The stack grows down from the top; the report sits at the bottom, zeroed by mmap.
  ctx.report = static_cast<ChildReport*>(stack);

  // Block every signal across clone: a handler of the server must never run on the child's
  // stack with the server's memory. The child resets dispositions before unblocking.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid =
      ::clone(child_main, static_cast<char*>(stack) + kChildStackBytes, kCloneFlags, &ctx);
  const int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  const Stage failed_stage = ctx.report->failed_stage;
  const int failed_errno = ctx.report->failed_errno;
  ::munmap(stack, kChildStackBytes);

  if (pid < 0) {
    return core::Status::internal(std::string("clone: ") + std::strerror(clone_errno));
  }
  if (failed_stage != Stage::kNone) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return failure_status(failed_stage, failed_errno, request);
  }
  return SpawnedChild{pid};
}

}  // namespace gaia::exec::detail
