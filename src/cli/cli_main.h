#pragma once
// The whole gaia command line: parses the arguments, finds the server (GAIA_URL or --url) and
// the key (GAIA_KEY or --key), and runs one subcommand, printing to the given streams. main()
// is this with std::cout, std::cerr, the system clock and a RemoteHttpClient; tests give a
// fake client and a manual clock.
// Exit codes (docs/cli.md): 0 done or admitted, 1 check refused, 2 usage, connection or
// server error; exec and run have their own (exec_command.h, run_command.h).

#include <functional>
#include <memory>
#include <ostream>

#include "cli/http_client.h"
#include "core/clock.h"
#include "core/status.h"

namespace gaia::cli {

// The server a command talks to, as the command line and environment name it.
struct ServerTarget {
  Url url;
  std::string ca_file;  // GAIA_CA_FILE or --ca-file: CA certificates for https://; "": system's
  // For exec and run, which then also need SIGINT and SIGTERM to close their connections
  // (cli/interrupt.h).
  bool streaming = false;
};

struct CliEnvironment {
  std::ostream& out;
  std::ostream& err;
  const core::Clock& clock;  // the one clock every command reads
  // The client for `target`, made once the command line is valid. An error is printed as
  // "gaia: <message>".
  std::function<core::Result<std::unique_ptr<HttpClient>>(const ServerTarget& target)> connect;
  // This program's absolute path, written into agents' settings by gaia hook install.
  std::string self_path = "";
};

int run_cli(int argc, const char* const* argv, const CliEnvironment& env);

}  // namespace gaia::cli
