// The ctest fixture of a test binary's redis-server (redis_server.h, fixture_main.h).

#include "support/fixture_main.h"
#include "support/redis_server.h"

int main(int argc, char** argv) {
  using gaia::testing::RedisServer;
  return gaia::testing::run_fixture_main(
      argc, argv, {"redis-server", &RedisServer::start_detached, &RedisServer::stop_detached});
}
