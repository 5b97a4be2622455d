#pragma once
// gaia_server's command line (CLI11): flags become Settings; --help and --version print and
// ask the caller to exit. Any thread, no shared state.

#include <optional>
#include <ostream>

#include "app/config.h"

namespace gaia::app {

struct CommandLine {
  Settings flags;                // only the flags actually given
  std::optional<int> exit_code;  // set: help, version or a usage error was printed; exit now
};

// Parses argv[1..argc). Help and version go to `out` (exit 0); usage errors to `err` (exit 2).
CommandLine parse_command_line(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err);

}  // namespace gaia::app
