// gaia: the command-line client of gaia_server (see cli/cli_main.h and docs/cli.md), given
// its real parts here: the clock, the connection to the server and the signal handling.

#include <chrono>
#include <filesystem>
#include <iostream>

#include "app/system_clock.h"
#include "cli/cli_main.h"
#include "cli/interrupt.h"

namespace {

// A whole call (or a streamed one until its head), and the connect within it.
constexpr auto kTimeout = std::chrono::seconds(30);
constexpr auto kConnectTimeout = std::chrono::seconds(10);

gaia::core::Result<std::unique_ptr<gaia::cli::HttpClient>> connect(
    const gaia::cli::ServerTarget& target) {
  using gaia::cli::Interrupt;
  // exec and run stream for as long as their commands run; SIGINT and SIGTERM close their
  // connections (cancelling the commands) instead of killing gaia on the spot.
  if (target.streaming && !Interrupt::install()) {
    return gaia::core::Status::internal("cannot set up signal handling");
  }
  return std::unique_ptr<gaia::cli::HttpClient>(std::make_unique<gaia::cli::RemoteHttpClient>(
      target.url, kTimeout, kConnectTimeout, Interrupt::fd(), target.ca_file));
}

// The absolute path of this program, as the kernel ran it; "" if it cannot be told.
std::string self_path() {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

}  // namespace

int main(int argc, char** argv) {
  const gaia::app::SystemClock clock;
  return gaia::cli::run_cli(argc, argv, {std::cout, std::cerr, clock, connect, self_path()});
}
