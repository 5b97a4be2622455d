#include "support/fixture_main.h"

#include <cstdio>
#include <string_view>

namespace gaia::testing {

int run_fixture_main(int argc, char** argv, const DetachedServer& server) {
  const std::string_view verb = argc == 3 ? argv[1] : "";
  if (verb != "start" && verb != "stop") {
    std::fprintf(stderr, "usage: %s start|stop DIR\n", argv[0]);
    return 2;
  }
  std::string error;
  const bool start = verb == "start";
  const bool ok = start ? server.start(argv[2], error) : server.stop(argv[2], error);
  if (!ok) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  if (start) std::printf("%s for the tests recorded in %s\n", server.name, argv[2]);
  return 0;
}

}  // namespace gaia::testing
