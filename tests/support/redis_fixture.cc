// The ctest fixture of a test binary's redis-server (redis_server.h):
//   gaia_test_redis_fixture start DIR   starts a server that outlives it, recorded in DIR
//   gaia_test_redis_fixture stop DIR    stops that server and removes DIR

#include <cstdio>
#include <cstring>
#include <string>

#include "support/redis_server.h"

int main(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[1], "start") != 0 && std::strcmp(argv[1], "stop") != 0)) {
    std::fprintf(stderr, "usage: %s start|stop DIR\n", argv[0]);
    return 2;
  }
  std::string error;
  const bool start = std::strcmp(argv[1], "start") == 0;
  const bool ok = start ? gaia::testing::RedisServer::start_detached(argv[2], error)
                        : gaia::testing::RedisServer::stop_detached(argv[2], error);
  if (!ok) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  if (start) std::printf("redis-server for the tests recorded in %s\n", argv[2]);
  return 0;
}
