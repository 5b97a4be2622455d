#include "cli/hook_install.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "cli/detail/json_pretty.h"
#include "cli/detail/shell_run.h"

namespace gaia::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// What every Gaia hook command has in it, however it was written (README's bare `gaia` too).
constexpr std::string_view kHookVerb = "hook pre-tool-use";
// The hook's own deadline for Gaia (HookOptions::timeout): the agent must wait longer.
constexpr std::chrono::seconds kHookDeadline{5};
constexpr std::chrono::milliseconds kDryRunTimeout{10'000};

// `s` quoted for /bin/sh: as is when it holds nothing the shell reads, else in single quotes.
std::string shell_quote(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789/._-:@%+=,") == std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The program a command line runs: its first word, single quotes undone.
std::string program_of(std::string_view line) {
  std::string word;
  bool quoted = false;
  for (char c : line) {
    if (c == '\'') {
      quoted = !quoted;
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (!word.empty()) break;
    } else {
      word += c;
    }
  }
  return word;
}

bool is_ours(const json::value& handler) {
  const json::object* h = handler.if_object();
  const json::value* c = h != nullptr ? h->if_contains("command") : nullptr;
  return c != nullptr && c->is_string() &&
         std::string_view(c->get_string()).find(kHookVerb) != std::string_view::npos;
}

json::object our_group(const HookSetup& setup) {
  const HookAgent& a = setup.agent;
  // Cursor's hooks.json lists bare handlers and documents no timeout.
  if (a.shell_event) return {{"command", hook_command(setup)}};
  json::object handler{{"type", "command"}, {"command", hook_command(setup)}};
  if (a.agent == Agent::kGemini) handler["name"] = "gaia";
  handler["timeout"] =
      a.timeout_in_ms ? std::chrono::duration_cast<std::chrono::milliseconds>(a.timeout).count()
                      : a.timeout.count();
  return {{"matcher", a.matcher()}, {"hooks", json::array{std::move(handler)}}};
}

// A Gaia hook found in a settings file.
struct Found {
  std::string matcher;
  std::string command;
  int64_t timeout = 0;  // as written, in the agent's unit; 0 when absent
};

// Every Gaia hook under the agent's event in `settings`.
std::vector<Found> find_ours(const json::value& settings, const HookAgent& agent) {
  std::vector<Found> found;
  const json::object* root = settings.if_object();
  const json::value* hooks = root != nullptr ? root->if_contains("hooks") : nullptr;
  const json::value* event = hooks != nullptr && hooks->is_object()
                                 ? hooks->get_object().if_contains(agent.event)
                                 : nullptr;
  if (event == nullptr || !event->is_array()) return found;
  if (agent.shell_event) {
    for (const json::value& handler : event->get_array()) {
      if (is_ours(handler)) {
        found.push_back({"", std::string(handler.get_object().at("command").get_string()), 0});
      }
    }
    return found;
  }
  for (const json::value& group : event->get_array()) {
    const json::object* g = group.if_object();
    if (g == nullptr) continue;
    const json::value* m = g->if_contains("matcher");
    const json::value* list = g->if_contains("hooks");
    if (list == nullptr || !list->is_array()) continue;
    for (const json::value& handler : list->get_array()) {
      if (!is_ours(handler)) continue;
      const json::object& h = handler.get_object();
      const json::value* t = h.if_contains("timeout");
      found.push_back({m != nullptr && m->is_string() ? std::string(m->get_string()) : "",
                       std::string(h.at("command").get_string()),
                       t != nullptr && t->is_number() ? t->to_number<int64_t>() : 0});
    }
  }
  return found;
}

// The file's JSON: null when there is no file, an error when it cannot be read or parsed.
core::Result<json::value> read_settings(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return json::value(nullptr);
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status::unavailable(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code jec;
  json::value v = json::parse(text.str(), jec);
  if (jec) {
    return core::Status::invalid_argument(path + ": not valid JSON (" + jec.message() +
                                          "); fix or move it, nothing was changed");
  }
  if (!v.is_object()) {
    return core::Status::invalid_argument(path + ": not a JSON object; fix or move it, " +
                                          "nothing was changed");
  }
  return v;
}

// Writes `text` to `path` whole or not at all: a temporary file beside it, then renamed.
core::Status write_file(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return core::Status::unavailable(path + ": " + ec.message());
  const std::string tmp = path + ".gaia-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return core::Status::unavailable(tmp + ": cannot be written");
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return core::Status::unavailable(path + ": cannot be replaced");
  }
  return {};
}

// A payload of the agent's own shape for `tool`, with an empty command. For Cursor, whose
// event is the shell, a tool not gated is another event's input.
std::string probe_payload(const HookAgent& agent, const std::string& tool) {
  if (agent.shell_event) {
    const bool gated = agent.is_shell_tool(tool);
    json::object p{{"conversation_id", "gaia-dry-run"},
                   {"generation_id", "gaia-dry-run"},
                   {"hook_event_name", gated ? agent.event : "beforeMCPExecution"},
                   {"workspace_roots", json::array{"/"}}};
    if (gated) {
      p["command"] = "";
      p["cwd"] = "/";
    } else {
      p["tool_name"] = tool;
      p["tool_input"] = "{}";
    }
    return json::serialize(p);
  }
  json::object p{
      {"session_id", "gaia-dry-run"},   {"transcript_path", ""}, {"cwd", "/"},
      {"hook_event_name", agent.event}, {"tool_name", tool},     {"tool_input", {{"command", ""}}}};
  return json::serialize(p);
}

// Runs `command` as the agent would: once for a tool it does not gate (must pass silently),
// once for a shell tool with no command (answered by the fallback without asking the server,
// so the try costs no quota). OK when both answer as a hook that can block.
core::Status dry_run(const HookAgent& agent, const std::string& command, const core::Clock& clock) {
  auto passing =
      detail::run_shell(command, probe_payload(agent, "gaia-dry-run-tool"), kDryRunTimeout, clock);
  if (!passing.ok()) return passing.status();
  if (passing->exit_code != 0) {
    return core::Status::unavailable(
        "the hook exited " + std::to_string(passing->exit_code) +
        (passing->exit_code == 127 ? " (command not found)" : "") + " for a tool it lets pass" +
        (passing->err.empty() ? "" : ": " + passing->err.substr(0, passing->err.find('\n'))));
  }
  auto gated = detail::run_shell(command, probe_payload(agent, agent.shell_tools.front()),
                                 kDryRunTimeout, clock);
  if (!gated.ok()) return gated.status();
  if (gated->exit_code == 2) return {};  // --exit-code-only: blocking by exit code
  boost::system::error_code ec;
  const json::value v = json::parse(gated->out, ec);
  if (gated->exit_code != 0 || (!gated->out.empty() && (ec || !v.is_object()))) {
    return core::Status::unavailable("the hook did not answer a " + agent.shell_tools.front() +
                                     " call (exit " + std::to_string(gated->exit_code) + ")");
  }
  return {};
}

// Cursor's hooks.json: {"version":1,"hooks":{"beforeShellExecution":[{"command":...}]}}, bare
// handlers in the event's list. The same replacement of earlier Gaia hooks as for groups.
core::Result<json::value> merge_handler(json::value settings, const HookSetup& setup) {
  json::object& root = settings.as_object();
  json::value& version = root["version"];
  if (version.is_null()) version = 1;
  if (!version.is_number() || version.to_number<double>() != 1) {
    return core::Status::invalid_argument("version: must be 1");
  }
  json::array& event = root["hooks"].as_object()[setup.agent.event].as_array();
  json::array kept;
  std::optional<size_t> place;
  for (json::value& handler : event) {
    if (!is_ours(handler)) {
      kept.push_back(std::move(handler));
    } else if (!place) {
      place = kept.size();
    }
  }
  kept.insert(kept.begin() + static_cast<std::ptrdiff_t>(place.value_or(kept.size())),
              our_group(setup));
  event = std::move(kept);
  return settings;
}

}  // namespace

std::string hook_settings_path(const HookSetup& setup, HookScope scope) {
  const std::string& base = scope == HookScope::kUser ? setup.home : setup.project_dir;
  return (fs::path(base) / setup.agent.settings_dir / setup.agent.settings_file).string();
}

std::string hook_command(const HookSetup& setup) {
  std::string line =
      shell_quote(setup.gaia_path) + " hook pre-tool-use --agent " + setup.agent.name;
  if (setup.url) line += " --url " + shell_quote(*setup.url);
  if (!setup.ca_file.empty()) line += " --ca-file " + shell_quote(setup.ca_file);
  return line;
}

core::Result<json::value> merge_hook(json::value settings, const HookSetup& setup) {
  const HookAgent& agent = setup.agent;
  if (settings.is_null()) settings = json::object();
  json::object& root = settings.as_object();
  json::value& hooks = root["hooks"];
  if (hooks.is_null()) hooks = json::object();
  if (!hooks.is_object()) return core::Status::invalid_argument("hooks: must be an object");
  json::value& event = hooks.as_object()[agent.event];
  if (event.is_null()) event = json::array();
  if (!event.is_array()) {
    return core::Status::invalid_argument("hooks." + agent.event + ": must be an array");
  }
  // Earlier Gaia hooks go; ours takes the place of the first, so a second install changes
  // nothing.
  if (agent.shell_event) return merge_handler(std::move(settings), setup);
  json::array kept;
  std::optional<size_t> place;
  for (json::value& group : event.as_array()) {
    json::object* g = group.if_object();
    json::value* list = g != nullptr ? g->if_contains("hooks") : nullptr;
    if (list == nullptr || !list->is_array()) {
      kept.push_back(std::move(group));
      continue;
    }
    json::array others;
    for (json::value& h : list->as_array()) {
      if (!is_ours(h)) others.push_back(std::move(h));
    }
    const bool had_ours = others.size() != list->as_array().size();
    if (!had_ours || !others.empty()) {
      *list = std::move(others);
      kept.push_back(std::move(group));
    }
    if (had_ours && !place) place = kept.size();  // right after what is left of that group
  }
  kept.insert(kept.begin() + static_cast<std::ptrdiff_t>(place.value_or(kept.size())),
              our_group(setup));
  event = std::move(kept);
  // Gemini CLI runs no hook unless its hook system is on.
  if (agent.agent == Agent::kGemini) {
    json::value& tools = root["tools"];
    if (tools.is_null()) tools = json::object();
    if (!tools.is_object()) return core::Status::invalid_argument("tools: must be an object");
    tools.as_object()["enableHooks"] = true;
  }
  return settings;
}

int install_hook(const HookSetup& setup, HookScope scope, const core::Clock& clock,
                 std::ostream& out, std::ostream& err) {
  const std::string path = hook_settings_path(setup, scope);
  core::Result<json::value> old = read_settings(path);
  if (!old.ok()) {
    err << "gaia: " << old.status().message() << '\n';
    return 2;
  }
  core::Result<json::value> merged = merge_hook(old.value(), setup);
  if (!merged.ok()) {
    err << "gaia: " << path << ": " << merged.status().message()
        << "; fix or move it, nothing was changed\n";
    return 2;
  }
  const bool unchanged = merged.value() == old.value();
  if (!unchanged) {
    if (core::Status s = write_file(path, detail::pretty_json(merged.value())); !s.ok()) {
      err << "gaia: " << s.message() << '\n';
      return 2;
    }
  }
  const std::string command = hook_command(setup);
  out << (unchanged ? "already installed: " : "installed: ") << setup.agent.title << " runs "
      << command << "\n  on " << setup.agent.event
      << (setup.agent.shell_event ? "" : " for " + setup.agent.matcher()) << ", in " << path
      << '\n';
  if (core::Status s = dry_run(setup.agent, command, clock); !s.ok()) {
    err << "gaia: the dry run failed: " << s.message() << "; see gaia hook doctor\n";
    return 2;
  }
  out << "dry run passed: the hook answers as " << setup.agent.title << " expects\n";
  return 0;
}

int hook_doctor(const HookSetup& setup, std::optional<HookScope> scope, const core::Clock& clock,
                std::ostream& out) {
  const HookAgent& agent = setup.agent;
  int problems = 0;
  const auto problem = [&](const std::string& line) {
    out << "problem: " << line << '\n';
    ++problems;
  };
  std::vector<HookScope> scopes;
  if (scope) {
    scopes.push_back(*scope);
  } else {
    scopes = {HookScope::kUser, HookScope::kProject};
  }
  size_t installed = 0;
  for (HookScope sc : scopes) {
    const std::string path = hook_settings_path(setup, sc);
    core::Result<json::value> settings = read_settings(path);
    if (!settings.ok()) {
      problem(settings.status().message());
      continue;
    }
    const std::vector<Found> found = find_ours(settings.value(), agent);
    if (found.empty()) {
      out << "no Gaia hook in " << path << '\n';
      continue;
    }
    ++installed;
    for (const Found& f : found) {
      out << "found in " << path << ": " << f.command << '\n';
      for (const std::string& tool : agent.shell_tools) {
        if (!HookAgent::matcher_covers(f.matcher, tool)) {
          problem("the matcher \"" + f.matcher + "\" leaves " + tool +
                  " ungated; run gaia hook install");
        }
      }
      const std::string program = program_of(f.command);
      if (!program.starts_with('/')) {
        problem("the hook runs \"" + program +
                "\" by name: where it is not on the agent's PATH the shell exits 127 and the "
                "command runs; run gaia hook install to write the absolute path");
      } else if (::access(program.c_str(), X_OK) != 0) {
        problem(program + " is not an executable file; run gaia hook install");
      }
      const int64_t deadline = agent.timeout_in_ms
                                   ? std::chrono::milliseconds(kHookDeadline).count()
                                   : kHookDeadline.count();
      if (f.timeout > 0 && f.timeout <= deadline) {
        problem("the agent's timeout (" + std::to_string(f.timeout) +
                (agent.timeout_in_ms ? " ms" : " s") +
                ") is not longer than the hook's own deadline: a slow answer lets the command "
                "run");
      }
      if (core::Status s = dry_run(agent, f.command, clock); !s.ok()) {
        problem("dry run: " + s.message());
      } else {
        out << "ok: the hook answers when tried\n";
      }
    }
    if (agent.agent == Agent::kGemini) {
      const json::value* tools = settings->as_object().if_contains("tools");
      const json::value* on = tools != nullptr && tools->is_object()
                                  ? tools->get_object().if_contains("enableHooks")
                                  : nullptr;
      if (on != nullptr && on->is_bool() && !on->get_bool()) {
        problem(path + " turns Gemini CLI's hooks off (tools.enableHooks is false)");
      }
    }
  }
  if (installed == 0) {
    problem("no Gaia hook is installed for " + agent.title + ": run gaia hook install --agent " +
            agent.name);
  }
  if (setup.key.empty()) {
    problem(
        "GAIA_KEY is not set here: without it the hook answers its fallback for every "
        "command");
  } else if (setup.server) {
    RemoteHttpClient client(*setup.server, kHookDeadline, std::chrono::milliseconds(0), -1,
                            setup.ca_file);
    auto r = client.send({"GET", "/api/v1/quota", setup.key, ""});
    if (!r.ok()) {
      problem("cannot reach Gaia at " + setup.server->text + ": " + r.status().message());
    } else if (r->status == 401) {
      problem("Gaia at " + setup.server->text + " does not accept GAIA_KEY (HTTP 401)");
    } else if (r->status != 200) {
      problem("Gaia at " + setup.server->text + " answered HTTP " + std::to_string(r->status));
    } else {
      out << "ok: Gaia at " << setup.server->text << " accepts the key\n";
    }
  }
  out << (problems == 0 ? "no problems found\n" : std::to_string(problems) + " problem(s) found\n");
  return problems == 0 ? 0 : 1;
}

}  // namespace gaia::cli
