// gaia_server: configuration, then run_server(). Exit codes: 0 clean shutdown or --help,
// 1 start-up failure, 2 invalid configuration.

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "app/config_loader.h"
#include "app/log_lines.h"
#include "app/server_app.h"

int main(int argc, char** argv) {
  // Every file and directory the server makes (the database and its -wal, -shm and journal
  // files, key.secret, the outage journal) is its own alone, from the first byte. Commands get
  // the usual 022 back (exec/detail/spawn.cc).
  ::umask(077);
  gaia::app::LoadedConfig loaded =
      gaia::app::load_config(argc, argv, environ, std::cout, std::cerr);
  if (!loaded.config) return loaded.exit_code;
  gaia::app::install_logging(gaia::app::log_options(*loaded.config));
  gaia::app::LogLines out(spdlog::level::info);
  gaia::app::LogLines err(spdlog::level::err);
  const int code = gaia::app::run_server(*loaded.config, out, err);
  spdlog::default_logger()->flush();  // tells what was suppressed and not told yet
  return code;
}
