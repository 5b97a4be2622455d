#pragma once
// Runs a command line the way an agent runs its hook: `/bin/sh -c LINE`, `input` on its stdin,
// its stdout and exit code back. For gaia hook install and doctor to try the hook they wrote.
// Private to src/cli.

#include <chrono>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace gaia::cli::detail {

struct ShellRun {
  int exit_code = -1;  // 128 + N when killed by signal N
  std::string out;
  std::string err;
};

// kUnavailable when /bin/sh cannot be started; a child still running after `timeout` by
// `clock` is killed (exit_code 128 + SIGKILL).
[[nodiscard]] core::Result<ShellRun> run_shell(const std::string& line, const std::string& input,
                                               std::chrono::milliseconds timeout,
                                               const core::Clock& clock);

}  // namespace gaia::cli::detail
