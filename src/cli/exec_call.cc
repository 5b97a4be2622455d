#include "cli/exec_call.h"

#include <boost/json.hpp>
#include <charconv>

#include "cli/detail/api_call.h"

namespace gaia::cli {
namespace {

using detail::has_field;
using detail::int_field;
using detail::string_field;

bool bool_field(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && v->is_bool() && v->get_bool();
}

std::optional<int64_t> seconds_of(const std::string& header) {
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc() || end != header.data() + header.size() || seconds < 0) {
    return std::nullopt;
  }
  return seconds;
}

ExecResult error_result(ExecEnd end, std::string message) {
  ExecResult r;
  r.end = end;
  r.message = std::move(message);
  return r;
}

// The refusal line: the server's message, with when to retry if it does not say so already.
std::string refusal_message(std::string message, std::optional<int64_t> retry_after_s) {
  if (message.empty()) message = "the server refused the command";
  if (retry_after_s && message.find("try again in ") == std::string::npos) {
    constexpr std::string_view kLater = "; try again later";
    if (message.ends_with(kLater)) message.resize(message.size() - kLater.size());
    message += "; try again in " + std::to_string(*retry_after_s) + " s";
  }
  return "refused: " + message;
}

}  // namespace

std::string exec_body(const ExecArgs& args) {
  boost::json::object body{{"type", args.type}};
  boost::json::array argv;
  for (const std::string& a : args.argv) argv.emplace_back(a);
  body["argv"] = std::move(argv);
  if (args.cwd) body["cwd"] = *args.cwd;
  if (args.timeout_s) body["timeout_s"] = *args.timeout_s;
  if (!args.env.empty()) {
    boost::json::object env;
    for (const auto& [name, value] : args.env) env[name] = value;
    body["env"] = std::move(env);
  }
  if (!args.limits.empty()) {
    boost::json::object limits;
    for (const auto& [name, value] : args.limits) limits[name] = value;
    body["limits"] = std::move(limits);
  }
  if (args.agent) body["agent"] = true;
  if (args.id) body["id"] = *args.id;
  return boost::json::serialize(body);
}

core::Result<std::pair<std::string, std::string>> parse_env_assignment(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return core::Status::invalid_argument("--env " + std::string(text) + ": expected NAME=VALUE");
  }
  if (eq == 0) {
    return core::Status::invalid_argument("--env " + std::string(text) + ": the name is empty");
  }
  return std::pair{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

core::Result<std::pair<std::string, int64_t>> parse_limit_assignment(std::string_view text) {
  const size_t eq = text.find('=');
  const std::string_view value = eq == std::string_view::npos ? "" : text.substr(eq + 1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (eq == 0 || eq == std::string_view::npos || ec != std::errc() ||
      end != value.data() + value.size() || n < 1) {
    return core::Status::invalid_argument("--limit " + std::string(text) +
                                          ": expected NAME=N with N a positive integer");
  }
  return std::pair{std::string(text.substr(0, eq)), n};
}

int exec_exit_code(const ExecResult& result) {
  switch (result.end) {
    case ExecEnd::kExited:
      return result.cancelled_by_shutdown ? kExitServerShutdown : result.exit_code;
    case ExecEnd::kSignalled:
      return result.cancelled_by_shutdown ? kExitServerShutdown : kExitSignalBase + result.signal;
    case ExecEnd::kNotStarted:
      return not_started_exit_code(result.message);
    case ExecEnd::kRefused:
    case ExecEnd::kError:
      break;
  }
  return kExitExecFailed;
}

int not_started_exit_code(std::string_view message) {
  // The runner's words (src/exec/detail/environment.cc, spawn.cc); see docs/cli.md.
  const size_t program = message.find("program '");
  const size_t execute = message.find("cannot execute '");
  if (program != std::string_view::npos) {
    if (message.ends_with("not found in PATH")) return kExitNotFound;
    if (message.ends_with("is not executable")) return kExitCannotExecute;
  }
  if (execute != std::string_view::npos) {
    const bool missing =
        message.ends_with("No such file or directory") || message.ends_with("Not a directory");
    return missing ? kExitNotFound : kExitCannotExecute;
  }
  return kExitExecFailed;
}

void ExecAnswer::on_head(const HttpResponse& head) {
  status_ = head.status;
  retry_after_ = head.header("retry-after");
}

void ExecAnswer::on_line(std::string_view line) {
  listener_.on_body_line(line);
  if (status_ != 200) {
    if (!error_body_.empty()) error_body_ += '\n';
    error_body_.append(line);
    return;
  }
  on_event(line);
}

void ExecAnswer::on_event(std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank: nothing
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(line, ec);
  const boost::json::object* e = !ec ? parsed.if_object() : nullptr;
  if (e == nullptr) {
    if (broken_.empty()) broken_ = std::string(line.substr(0, 200));
    return;
  }
  const std::string event = string_field(*e, "event");
  if (event == "stdout" || event == "stderr") {
    const boost::json::value* data = e->if_contains("data");
    if (data != nullptr && data->is_string()) {
      listener_.on_output(event == "stdout" ? OutputStream::kStdout : OutputStream::kStderr,
                          data->get_string());
    }
  } else if (event == "queued") {
    const int64_t ahead = int_field(*e, "position");
    const int64_t wait_ms = int_field(*e, "expected_wait_ms");
    queued_.emplace(ahead, wait_ms);
    // Every command is queued, most at position 0 with no wait just before they start: only
    // a real wait, or one already told, is worth telling.
    if (ahead > 0 || wait_ms > 0 || told_waiting_) {
      told_waiting_ = true;
      listener_.on_queued(ahead, wait_ms);
    }
  } else if (event == "throttled") {
    const boost::json::value* factor = e->if_contains("factor");
    listener_.on_throttled(
        factor != nullptr && factor->is_number() ? factor->to_number<double>() : 0.0,
        int_field(*e, "delay_ms"));
  } else if (event == "warnings") {
    listener_.on_warnings(*e);
  } else if (event == "started") {
    queued_.reset();
  } else if (event == "exited") {
    ExecResult r;
    if (has_field(*e, "signal")) {
      r.end = ExecEnd::kSignalled;
      r.signal = static_cast<int>(int_field(*e, "signal"));
    } else {
      r.end = ExecEnd::kExited;
      r.exit_code = static_cast<int>(int_field(*e, "exit_code"));
    }
    r.duration_ms = int_field(*e, "duration_ms", -1);
    if (bool_field(*e, "timed_out"))
      r.notes.push_back("the command ran past its timeout and was stopped");
    if (bool_field(*e, "memory_limit_hit")) r.notes.push_back("the command hit its memory limit");
    if (bool_field(*e, "cancelled") && string_field(*e, "cancelled_by") == "shutdown") {
      r.cancelled_by_shutdown = true;
      r.notes.push_back("the command was cancelled by the server's shutdown; run it again");
    } else if (bool_field(*e, "cancelled") && !bool_field(*e, "timed_out")) {
      r.notes.push_back("the command was cancelled");
    }
    // The server passes on output only up to its cap, then counts and drops it.
    for (const char* stream : {"stdout", "stderr"}) {
      if (bool_field(*e, std::string(stream) + "_truncated")) {
        r.notes.push_back(
            std::string("the server passed on only the first part of the command's ") + stream +
            " (its output cap; raise it with --limit output_bytes=N)");
      }
    }
    if (const int64_t dropped = int_field(*e, "output_dropped_bytes"); dropped > 0) {
      r.notes.push_back(std::to_string(dropped) +
                        " bytes of output were dropped: the connection read slower than the "
                        "command wrote");
    }
    if (has_field(*e, "recorded") && !bool_field(*e, "recorded")) {
      const std::string why = string_field(*e, "record_error");
      r.notes.push_back("the execution was not recorded" + (why.empty() ? "" : ": " + why));
    }
    final_ = std::move(r);
  } else if (event == "failed") {
    final_ = error_result(ExecEnd::kNotStarted, string_field(*e, "message"));
  } else if (event == "approval_required") {
    listener_.on_approval_wait(int_field(*e, "approval_id"), string_field(*e, "message"),
                               int_field(*e, "expires_at_ms"));
  } else if (event == "refused") {
    // Refused after the answer began: an admin denied it, or no one approved it in time.
    final_ =
        error_result(ExecEnd::kRefused, refusal_message(string_field(*e, "message"), std::nullopt));
  }
  // Events of newer servers change nothing here.
}

void ExecAnswer::on_idle() {
  if (!queued_ || told_waiting_ || final_) return;
  told_waiting_ = true;
  listener_.on_queued(queued_->first, queued_->second);
}

ExecResult ExecAnswer::from_error_answer() const {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(error_body_, ec);
  const boost::json::object* body = !ec ? parsed.if_object() : nullptr;
  const std::string code = "HTTP " + std::to_string(status_);
  if (body == nullptr) {
    return error_result(ExecEnd::kError, "the server answered " + code + " without a JSON body");
  }
  const std::string message = string_field(*body, "message");
  const std::string error = string_field(*body, "error");
  std::optional<int64_t> retry = seconds_of(retry_after_);
  if (!retry && has_field(*body, "retry_after_s")) retry = int_field(*body, "retry_after_s");

  if (status_ == 429 || status_ == 428 || status_ == 503 || (status_ == 403 && error == "denied")) {
    ExecResult r = error_result(ExecEnd::kRefused, refusal_message(message, retry));
    r.retry_after_s = retry;
    return r;
  }
  if (status_ == 422) return error_result(ExecEnd::kNotStarted, "cannot run: " + message);
  if (status_ == 401) {
    return error_result(
        ExecEnd::kError,
        "the server did not accept the API key (HTTP 401); check GAIA_KEY or --key");
  }
  if (const std::string field = string_field(*body, "field"); !field.empty()) {
    return error_result(ExecEnd::kError, field + ": " + message);
  }
  return error_result(ExecEnd::kError, (message.empty() ? "the server answered " + code : message) +
                                           " (" + code + (error.empty() ? "" : " " + error) + ")");
}

ExecResult ExecAnswer::finish(const core::Status& transport) {
  if (status_ == 0) return error_result(ExecEnd::kError, transport.message());
  if (status_ != 200) {
    // A cut-short error body still says what it can; a clean one says it all.
    return from_error_answer();
  }
  if (final_) {
    ExecResult r = std::move(*final_);
    if (r.end == ExecEnd::kNotStarted) r.message = "cannot run: " + r.message;
    return r;
  }
  if (!broken_.empty()) {
    return error_result(ExecEnd::kError, "the server sent a line that is not an event: " + broken_);
  }
  if (!transport.ok()) {
    return error_result(ExecEnd::kError, transport.message() + " before the command ended");
  }
  return error_result(ExecEnd::kError, "the server ended the answer before the command ended");
}

ExecResult run_exec(HttpClient& client, const std::string& key, const ExecArgs& args,
                    ExecListener& listener) {
  ExecAnswer answer(listener);
  StreamHandler handler{[&answer](const HttpResponse& head) { answer.on_head(head); },
                        [&answer](std::string_view line) { answer.on_line(line); },
                        [&answer] { answer.on_idle(); }, kWaitNoticeAfter};
  const core::Status s = client.stream({"POST", "/api/v1/exec", key, exec_body(args)}, handler);
  return answer.finish(s);
}

}  // namespace gaia::cli
