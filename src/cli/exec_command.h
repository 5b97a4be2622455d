#pragma once
// gaia exec: runs one command through the server (POST /api/v1/exec) as if it ran here: its
// stdout and stderr bytes go to ours as they arrive, and gaia exits with its exit code. What
// is gaia's own to say (a wait in the queue, a refusal, a failure) is one line "gaia: ..." on
// stderr. Exit codes: the command's own; 128 + the signal that ended it; 125 refused, bad
// request, server or connection error; 126 cannot execute; 127 not found; 128 + SIGINT or
// SIGTERM when gaia itself was interrupted (closing the connection cancels the command).

#include "cli/commands.h"
#include "cli/exec_call.h"

namespace gaia::cli {

// With s.json, every line of the answer (NDJSON events, or the JSON error) goes to s.out
// verbatim instead of the command's output and gaia's notes; refusals and errors still get
// their line on s.err. Interrupt::signal() is read once the call returns.
int exec(const Session& s, const ExecArgs& args);

}  // namespace gaia::cli
