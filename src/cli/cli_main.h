#pragma once
// The whole gaia command line: parses the arguments, finds the server (GAIA_URL or --url) and
// the key (GAIA_KEY or --key), and runs one subcommand, printing to the given streams. main()
// is this with std::cout, std::cerr and a RemoteHttpClient; tests give a fake client.
// Exit codes (docs/cli.md): 0 done or admitted, 1 check refused, 2 usage, connection or
// server error; exec and run have their own (exec_command.h, run_command.h).

#include <functional>
#include <memory>
#include <ostream>

#include "cli/http_client.h"
#include "core/status.h"

namespace gaia::cli {

struct CliEnvironment {
  std::ostream& out;
  std::ostream& err;
  // The client for `url`, made once the command line is valid. `streaming` for exec and run,
  // which then also need SIGINT and SIGTERM to close their connections (cli/interrupt.h). An
  // error is printed as "gaia: <message>".
  std::function<core::Result<std::unique_ptr<HttpClient>>(const Url& url, bool streaming)> connect;
};

int run_cli(int argc, const char* const* argv, const CliEnvironment& env);

}  // namespace gaia::cli
