#pragma once
// Starts a child from a resolved path, argv and envp, with everything set up between clone
// and exec that posix_spawn cannot do (joining cgroups, a fourth fd). The runner starts
// gaia_supervisor with it, which sets up the command itself. Any thread may call it.
//
// How: clone(CLONE_VM | CLONE_VFORK) on a private stack, as glibc's posix_spawn does. The
// parent thread is suspended until the child has exec'd or exited, so the child may report
// a failure by writing into the (shared) request and nothing is copied: the cost is that of
// vfork. The child runs only async-signal-safe system calls: it resets every signal to its
// default action, makes a new process group, writes "0" into each given cgroup.procs fd,
// wires stdin/stdout/stderr and the control fd (3), closes every other fd and unblocks
// signals before execve.

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/status.h"

namespace gaia::exec::detail {

struct SpawnRequest {
  std::string path;  // passed to execve as is
  std::vector<std::string> argv;
  std::vector<std::string> envp;      // NAME=value
  std::vector<int> cgroup_procs_fds;  // open for writing; the child joins each
  // REQUIRES: all four > 3 (so wiring one does not close another).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  int control_fd = -1;  // becomes the child's fd 3
};

struct SpawnedChild {
  pid_t pid = -1;  // also its process group id
};

// Starts the child. On success the child has exec'd; it is the caller's to reap. On failure
// nothing is left running (a child that failed before exec has been reaped): kNotFound for a
// missing program, kInvalidArgument for one that cannot be executed, kInternal for the rest;
// the message says which step failed.
[[nodiscard]] core::Result<SpawnedChild> spawn_child(const SpawnRequest& request);

// Moves `fd` to a descriptor > 3 (close-on-exec) if it is below; returns the new fd or -1.
int move_above_stdio(int fd);

}  // namespace gaia::exec::detail
