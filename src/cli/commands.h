#pragma once
// The gaia subcommands: each builds one API request, sends it, and prints the answer as text
// (or, with --json, the server's JSON body verbatim) and returns the process exit code.
// Problems are reported as one line "gaia: ..." on the error stream.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "cli/http_client.h"
#include "core/clock.h"

namespace gaia::cli {

// Exit codes, documented in docs/cli.md.
constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;  // check only: the server refused the command
constexpr int kExitError = 2;    // usage, connection or server error

// What every command works with. The streams, the client and the clock outlive the commands.
struct Session {
  HttpClient& client;
  std::string key;  // REQUIRES: not empty
  std::ostream& out;
  std::ostream& err;
  const core::Clock& clock;  // waits and deadlines
  bool json = false;         // print the server's body verbatim instead of text
};

struct CheckArgs {
  std::string type;
  std::optional<int64_t> cost;  // the server checks the range
  std::optional<std::string> command;
  std::optional<std::string> user;  // a service key acting for another user
};

struct KeyArgs {
  std::string user;
  std::optional<std::string> role;  // admin, service or user; the server's default is user
  std::optional<std::string> label;
};

// POST /api/v1/check: kExitOk if admitted, kExitRefused if refused (naming the limit and when
// to retry), kExitError otherwise.
int check(const Session& s, const CheckArgs& args);

// GET /api/v1/quota: a table of the caller's limits.
int quota(const Session& s);

// POST /api/admin/users (admin key).
int create_user(const Session& s, const std::string& name, const std::optional<std::string>& tier);

// PUT /api/admin/users/{name} (admin key).
int set_tier(const Session& s, const std::string& name, const std::string& tier);

// POST /api/admin/users/{user}/keys (admin key): prints the new key, which the server never
// shows again.
int create_key(const Session& s, const KeyArgs& args);

// DELETE /api/admin/keys/{id} (admin key).
int revoke_key(const Session& s, const std::string& id);

}  // namespace gaia::cli
