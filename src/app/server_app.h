#pragma once
// run_server: gaia_server's life after configuration: start-up ([INIT] lines), serving, and a
// clean shutdown on SIGTERM or SIGINT. Call from main's thread only.

#include <ostream>

#include "app/config.h"

namespace gaia::app {

// Starts everything `config` describes, serves until SIGTERM/SIGINT, then stops gracefully.
// Progress goes to `out`, failures to `err`. Returns the process exit code: 0 after a clean
// shutdown, 1 if start-up failed.
int run_server(const Config& config, std::ostream& out, std::ostream& err);

}  // namespace gaia::app
