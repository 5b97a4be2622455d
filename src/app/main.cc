// gaia_server: configuration, then run_server(). Exit codes: 0 clean shutdown or --help,
// 1 start-up failure, 2 invalid configuration.

#include <unistd.h>

#include <iostream>

#include "app/config_loader.h"
#include "app/server_app.h"

int main(int argc, char** argv) {
  gaia::app::LoadedConfig loaded =
      gaia::app::load_config(argc, argv, environ, std::cout, std::cerr);
  if (!loaded.config) return loaded.exit_code;
  return gaia::app::run_server(*loaded.config, std::cout, std::cerr);
}
