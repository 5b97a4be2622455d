#pragma once
// load_config: gaia_server's whole configuration step (command line, environment, optional
// file, validation), reporting to the given streams. Any thread, no shared state.

#include <optional>
#include <ostream>

#include "app/config.h"

namespace gaia::app {

struct LoadedConfig {
  std::optional<Config> config;  // absent: exit with exit_code
  int exit_code = 0;             // 0 after --help/--version, 2 for any invalid setting
};

// Reads flags from argv, settings from envp (like `environ`) and the file named by --config
// or GAIA_CONFIG, then validates. Errors go to `err` prefixed "gaia_server: ", naming the
// setting.
LoadedConfig load_config(int argc, const char* const* argv, const char* const* envp,
                         std::ostream& out, std::ostream& err);

}  // namespace gaia::app
