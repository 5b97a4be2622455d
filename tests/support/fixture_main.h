#pragma once
// The whole of a ctest fixture program that starts a server which outlives it (one per test
// binary, recorded in a directory) and later stops it:
//   <program> start DIR   starts the server, recorded in DIR
//   <program> stop DIR    stops that server and removes DIR
// Exit codes: 0 done, 1 the server could not be started or stopped (why on stderr), 2 usage.
// redis_fixture.cc and postgres_fixture.cc are this with their server.

#include <filesystem>
#include <string>

namespace gaia::testing {

struct DetachedServer {
  const char* name;  // printed once started: "<name> for the tests recorded in DIR"
  // Each true when done, else false with the reason in `error`.
  bool (*start)(const std::filesystem::path& dir, std::string& error);
  bool (*stop)(const std::filesystem::path& dir, std::string& error);
};

int run_fixture_main(int argc, char** argv, const DetachedServer& server);

}  // namespace gaia::testing
