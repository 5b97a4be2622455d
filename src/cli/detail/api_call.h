#pragma once
// One API call as every command makes it: send, read the JSON body, print it verbatim under
// --json, and turn a failure into the one-line message a user sees. Private to src/cli.

#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "cli/commands.h"

namespace gaia::cli::detail {

// A server answer whose status the command expected.
struct Answer {
  int status = 0;
  boost::json::object body;
  std::string retry_after;  // the Retry-After header, "" if absent
};

// Sends `req` with the session's key. Returns the answer if its status is one of `expected`
// and its body a JSON object; the body is then already printed when s.json. Otherwise prints
// the problem ("gaia: cost: must be between 1 and 1000000") on s.err (and under --json a
// JSON error body on s.out) and returns nullopt: the caller exits with kExitError.
std::optional<Answer> call(const Session& s, HttpRequest req, std::initializer_list<int> expected);

// Fields of a server object, tolerant of a missing or mistyped field (a newer server).
std::string string_field(const boost::json::object& o, std::string_view name);
int64_t int_field(const boost::json::object& o, std::string_view name, int64_t absent = 0);
bool has_field(const boost::json::object& o, std::string_view name);

}  // namespace gaia::cli::detail
