#pragma once
// One command run through POST /api/v1/exec, as both `gaia exec` and `gaia run` make it: the
// request body from typed arguments, and ExecAnswer, which reads the streamed answer (a JSON
// error, or NDJSON events: queued, started, stdout, stderr, then exited or failed), hands the
// command's output and progress to an ExecListener as they arrive, and sums up how it ended.
// See docs/api.md for the endpoint and docs/cli.md for the exit codes.
//
// Threads: run_exec blocks its caller for as long as the command runs; separate calls (each
// with its own listener) may run at once on one client.
//
// Example:
//   PrintingListener listener(std::cout, std::cerr);
//   ExecResult r = run_exec(client, key, args, listener);
//   return exec_exit_code(r);

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/http_client.h"

namespace gaia::cli {

// Exit codes of gaia exec for its own failures, as env(1) and docker run use them.
constexpr int kExitExecFailed = 125;  // refused, bad request, server or connection error
constexpr int kExitCannotExecute = 126;
constexpr int kExitNotFound = 127;
constexpr int kExitSignalBase = 128;  // + the signal that killed the command (or gaia)
// The server shut down while the command ran and cancelled it (EX_TEMPFAIL: try again).
constexpr int kExitServerShutdown = 75;

struct ExecArgs {
  std::string type;
  std::vector<std::string> argv;  // REQUIRES: not empty
  std::optional<std::string> cwd;
  std::optional<int64_t> timeout_s;
  std::vector<std::pair<std::string, std::string>> env;  // a later entry of a name wins
  // Resource limits by the server's names (memory_bytes, output_bytes, ...); it checks them.
  std::vector<std::pair<std::string, int64_t>> limits;
  bool agent = false;  // proposed by an AI agent: the confirmation policy decides
  std::optional<std::string> id;
};

// The JSON body of POST /api/v1/exec.
std::string exec_body(const ExecArgs& args);

// Splits "NAME=VALUE" (the value may be empty or contain '='); invalid_argument without '='
// or with an empty name. The server checks the name's characters.
[[nodiscard]] core::Result<std::pair<std::string, std::string>> parse_env_assignment(
    std::string_view text);

// Splits "NAME=N" with N a positive integer; invalid_argument otherwise.
[[nodiscard]] core::Result<std::pair<std::string, int64_t>> parse_limit_assignment(
    std::string_view text);

enum class ExecEnd : uint8_t {
  kExited,      // the command exited on its own: exit_code
  kSignalled,   // a signal ended it (a timeout or a cancellation too): signal
  kRefused,     // a limit, quota, load or the policy said no (403, 428, 429, 503): nothing ran
  kNotStarted,  // admitted, but the program could not be started, or it left the queue
  kError,       // a bad request or key, a server or connection failure, a broken answer
};

struct ExecResult {
  ExecEnd end = ExecEnd::kError;
  int exit_code = 0;  // kExited
  int signal = 0;     // kSignalled
  // kRefused, kNotStarted, kError: one line for a person, without "gaia: ".
  std::string message;
  std::optional<int64_t> retry_after_s;  // kRefused, when the server says when to retry
  int64_t duration_ms = -1;              // kExited, kSignalled: the server's measure
  // kExited, kSignalled: what else a person should know (timed out, not recorded, ...).
  std::vector<std::string> notes;
  bool cancelled_by_shutdown = false;  // kExited, kSignalled: the server's shutdown ended it
};

// 0..255 the command's own code; 128 + signal; 75 cancelled by the server's shutdown;
// 125 refused or error; 126 cannot execute; 127 not found.
int exec_exit_code(const ExecResult& result);

// The exit code for a command the server could not start, from the server's message:
// 127 for a program not found, 126 for one that cannot be executed, else 125.
int not_started_exit_code(std::string_view message);

enum class OutputStream : uint8_t { kStdout, kStderr };

// Told of a command's progress as it arrives, on the thread that runs the exec call.
class ExecListener {
 public:
  virtual ~ExecListener() = default;
  // Bytes the command wrote (valid UTF-8: the server replaced invalid sequences).
  virtual void on_output(OutputStream stream, std::string_view data) = 0;
  // The command waits in the server's queue: `ahead` commands are before it, for about
  // `expected_wait_ms` (0: unknown). Told when the server says so (a position or a wait), or
  // when the command has sat a second in the queue without starting; again as the position
  // falls.
  virtual void on_queued(int64_t ahead, int64_t expected_wait_ms) {
    (void)ahead;
    (void)expected_wait_ms;
  }
  // The machine is under load (throttle `factor`): the server starts the command no sooner
  // than `delay_ms` from now.
  virtual void on_throttled(double factor, int64_t delay_ms) {
    (void)factor;
    (void)delay_ms;
  }
  // Its admission took quotas past a warning threshold: `event` carries "warnings" as a
  // check's answer does (print_warnings in cli/check_notices.h reads it).
  virtual void on_warnings(const boost::json::object& event) { (void)event; }
  // An admin must approve the command first (approval `id`, until `expires_at_ms`); the
  // server says why in `message`.
  virtual void on_approval_wait(int64_t id, std::string_view message, int64_t expires_at_ms) {
    (void)id;
    (void)message;
    (void)expires_at_ms;
  }
  // Every line of the answer's body verbatim (events, or a JSON error), before it is acted on.
  virtual void on_body_line(std::string_view line) { (void)line; }
};

// Reads one answer. Feed it the head, then each body line, then finish() with the stream's
// status; finish() says how the command ended.
class ExecAnswer {
 public:
  explicit ExecAnswer(ExecListener& listener) : listener_(listener) {}

  void on_head(const HttpResponse& head);
  void on_line(std::string_view line);
  // The answer has been silent a while: a queued command that has not started is waiting.
  void on_idle();
  ExecResult finish(const core::Status& transport);

  // The whole body of an answer that is not 200 (a JSON error), or "" for a 200.
  const std::string& error_body() const { return error_body_; }

 private:
  void on_event(std::string_view line);
  ExecResult from_error_answer() const;

  ExecListener& listener_;
  int status_ = 0;
  std::string retry_after_;  // the Retry-After header
  std::string error_body_;
  std::optional<ExecResult> final_;                    // set by exited or failed
  std::string broken_;                                 // a line that is not an event of ours
  std::optional<std::pair<int64_t, int64_t>> queued_;  // the last queued event, until started
  bool told_waiting_ = false;                          // the listener heard of the wait
};

// How long a queued command may sit without starting before gaia says it waits.
inline constexpr std::chrono::milliseconds kWaitNoticeAfter{1000};

// POST /api/v1/exec with `args`, the command's progress to `listener`; blocks until it ends.
ExecResult run_exec(HttpClient& client, const std::string& key, const ExecArgs& args,
                    ExecListener& listener);

}  // namespace gaia::cli
