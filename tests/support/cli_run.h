#pragma once
// Runs a program (the gaia CLI) as a user at a shell would: exactly `args` and `env` (nothing
// inherited, so no stray GAIA_KEY), `input` on its stdin; its stdout, stderr and exit code
// out. Both output pipes are read at once, so a child filling one cannot stall; a child that
// says nothing for 30 s is killed.

#include <string>
#include <vector>

namespace gaia::testing {

struct CliRun {
  int exit_code = -1;  // -1: killed, timed out or not started
  std::string out, err;
};

CliRun run_program(const std::string& path, const std::vector<std::string>& args,
                   const std::vector<std::string>& env, const std::string& input = "");

}  // namespace gaia::testing
