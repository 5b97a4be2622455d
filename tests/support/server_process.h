#pragma once
// gaia_server as a child process, run the way a user runs it, with its stdout and stderr on
// pipes; every wait on it is bounded so a test never hangs.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace gaia::testing {

// A /proc of an idle machine under `dir` (for GAIA_PROC_ROOT), so real load on the test
// machine never throttles what a test runs or checks.
std::string idle_proc_root(const TempDir& dir);

// Adds GAIA_PROC_ROOT=idle_proc_root(dir) to a server's `env` unless the test gave its own:
// every server a test starts sees an idle machine unless the test is about load.
void add_idle_proc_root(std::vector<std::string>& env, const TempDir& dir);

// A log line without the time it begins with ("2026-12-06T15:38:22.123Z [INFO] x" is
// "[INFO] x", as is the JSON line {"time":...,"tag":"INFO","msg":"x"}); any other line as it is.
std::string log_message(const std::string& line);

class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args, const std::vector<std::string>& env);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void signal(int sig);

  // Reads stdout until a log line whose message (log_message) starts with `prefix`, and
  // returns that message; everything read is kept in stdout_.
  std::optional<std::string> read_line_starting(const std::string& prefix);

  // The port the server listens on, from its "[INFO] Starting HTTP server on host:port" line
  // (start it on port 0: the kernel picks a free one); nullopt if that line never comes.
  std::optional<uint16_t> read_port();

  // Reads both pipes to end of stream (the child exited), then reaps it: its exit code, or
  // -1 if it did not exit normally or took longer than the read timeout.
  int wait_exit();

  std::string stdout_, stderr_;

 private:
  static bool read_some(int fd, std::string& into);

  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
};

}  // namespace gaia::testing
