#include "cli/hook.h"

#include <boost/json.hpp>
#include <iterator>
#include <optional>
#include <sstream>

#include "cli/check_notices.h"
#include "cli/http_client.h"
#include "cli/interrupt.h"
#include "core/mutex.h"

namespace gaia::cli {
namespace {

constexpr size_t kMaxPayloadBytes = 1 << 20;

// The longest throttle delay the hook waits out itself. An agent kills a hook that outlives
// its timeout and runs the command ungated: install writes 15 s, and the exchange with Gaia
// may take its own 5 s deadline first, so the wait stays within what is left with room to
// spare. A longer delay is a deny with the time to retry after.
constexpr std::chrono::milliseconds kMaxHookWait{5000};

// A string member of `o`, or "".
std::string string_of(const boost::json::object* o, std::string_view name) {
  if (o == nullptr) return "";
  const boost::json::value* v = o->if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}

int answer(const HookVerdict& v, const HookOptions& options, std::ostream& out, std::ostream& err) {
  const HookAnswer a = render_hook_answer(options.agent, v, options.exit_code_only);
  out << a.out;
  err << a.err;
  return a.exit_code;
}

HookVerdict fallback(const HookOptions& options, const std::string& why) {
  return {options.fallback, "Gaia could not decide (" + why + "); fallback " + options.fallback,
          ""};
}

// The command the policy approved is about to run: it counts against the shell quota like any
// checked command, and under load the hook waits the delay before the agent runs it.
HookVerdict check_quota(RemoteHttpClient& client, const std::string& key,
                        const std::string& command, HookVerdict approved,
                        const HookOptions& options, const core::Clock& clock) {
  boost::json::object body{{"type", "shell"}, {"command", command}};
  auto response = client.send({"POST", "/api/v1/check", key, boost::json::serialize(body)});
  if (!response.ok()) return fallback(options, response.status().message());
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(response->body, ec);
  if (ec || !v.is_object()) return fallback(options, "unreadable answer to the quota check");
  const boost::json::object& a = v.get_object();
  if (response->status == 503 || response->status == 429) {
    // Refused for load or quota: the agent is told why and may try again later.
    std::string why = string_of(&a, "message");
    if (const boost::json::value* limit = a.if_contains("limit"); why.empty() && limit) {
      why = "the limit " + string_of(limit->if_object(), "policy") + " is reached";
    }
    const std::string retry = response->header("retry-after");
    return {"deny", "Gaia: " + why + (retry.empty() ? "" : "; retry after " + retry + " s"), ""};
  }
  if (response->status != 200) {
    return fallback(options, "Gaia answered HTTP " + std::to_string(response->status));
  }
  std::ostringstream warnings;
  print_warnings(a, warnings);
  approved.message = warnings.str();
  while (!approved.message.empty() && approved.message.back() == '\n') approved.message.pop_back();
  if (const int64_t delay_ms = throttle_delay_ms(a); delay_ms > kMaxHookWait.count()) {
    const int64_t retry_s = (delay_ms + 999) / 1000;
    return {"deny",
            "Gaia: " + throttle_text(a) + ": the command must wait " + std::to_string(delay_ms) +
                " ms, longer than the hook may wait (" + std::to_string(kMaxHookWait.count()) +
                " ms); retry after " + std::to_string(retry_s) + " s",
            approved.message};
  } else if (delay_ms > 0) {
    Interrupt::sleep_for(std::chrono::milliseconds(delay_ms), clock);
    approved.reason += (approved.reason.empty() ? "" : "; ") + std::string("Gaia: ") +
                       throttle_text(a) + ", waited " + std::to_string(delay_ms) + " ms";
  }
  return approved;
}

}  // namespace

std::optional<HookVerdict> verdict_from_answer(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  std::string decision = string_of(&v.get_object(), "decision");
  std::string reason = string_of(&v.get_object(), "reason");
  if (decision == "approve") return HookVerdict{"allow", reason, ""};
  if (decision == "deny" || decision == "ask") return HookVerdict{decision, reason, ""};
  return std::nullopt;
}

int run_pre_tool_use(std::istream& in, std::ostream& out, std::ostream& err, const Url& url,
                     const std::string& key, const HookOptions& options, const core::Clock& clock) {
  std::string payload;
  std::istreambuf_iterator<char> it(in), end;
  for (; it != end && payload.size() <= kMaxPayloadBytes; ++it) payload.push_back(*it);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(payload, ec);
  if (ec || !v.is_object()) {
    return answer(fallback(options, "the hook input is not a JSON object"), options, out, err);
  }
  const boost::json::object& hook = v.get_object();
  const HookAgent& agent = options.agent;
  std::string tool, command;
  if (agent.shell_event) {
    // Cursor: another event's input (the same command registered elsewhere) passes untouched.
    const std::string event = string_of(&hook, "hook_event_name");
    if (!event.empty() && event != agent.event) return 0;
    tool = agent.shell_tools.front();
    command = string_of(&hook, "command");
  } else {
    tool = string_of(&hook, "tool_name");
    if (!agent.is_shell_tool(tool)) return 0;  // not ours: pass through untouched
    const boost::json::value* input = hook.if_contains("tool_input");
    command = string_of(input ? input->if_object() : nullptr, "command");
  }
  if (command.empty()) {
    return answer(fallback(options, agent.shell_event ? "no command" : "no command in tool_input"),
                  options, out, err);
  }
  if (key.empty()) return answer(fallback(options, "GAIA_KEY is not set"), options, out, err);

  boost::json::object body{
      {"command", command},
      {"cwd", string_of(&hook, "cwd")},
      {"session_id", string_of(&hook, agent.shell_event ? "conversation_id" : "session_id")},
      {"tool", tool},
      {"type", "shell"}};
  // One deadline over the whole exchange, connecting included.
  RemoteHttpClient client(url, options.timeout, std::chrono::milliseconds(0), -1, options.ca_file);
  auto response =
      client.send({"POST", "/api/claude/confirm/request", key, boost::json::serialize(body)});
  if (!response.ok())
    return answer(fallback(options, response.status().message()), options, out, err);
  if (response->status != 200) {
    return answer(fallback(options, "Gaia answered HTTP " + std::to_string(response->status)),
                  options, out, err);
  }
  auto verdict = verdict_from_answer(response->body);
  if (!verdict) return answer(fallback(options, "unreadable answer"), options, out, err);
  if (verdict->decision != "allow") return answer(*verdict, options, out, err);
  return answer(check_quota(client, key, command, *verdict, options, clock), options, out, err);
}

}  // namespace gaia::cli
