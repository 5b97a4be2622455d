#include "cli/cli_main.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/admin_lists.h"
#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/exec_command.h"
#include "cli/hook.h"
#include "cli/hook_install.h"
#include "cli/report_command.h"
#include "cli/run_command.h"
#include "core/version.h"

namespace gaia::cli {
namespace {

// `value` if the option was given on the command line, else nullopt.
template <class T>
std::optional<T> given(const CLI::Option* option, const T& value) {
  return option->count() > 0 ? std::optional<T>(value) : std::nullopt;
}

// Each command's help lists the exit codes of that command only.
constexpr const char* kPlainCodes = "Exit codes: 0 done, 2 usage, connection or server error.";

}  // namespace

int run_cli(int argc, const char* const* argv, const CliEnvironment& env) {
  CLI::App app(
      "gaia: run commands through a Gaia server, or ask whether one may run; manage its users "
      "and keys.",
      "gaia");
  app.footer(
      "Environment: GAIA_URL (default http://127.0.0.1:8080), GAIA_KEY (an API key), "
      "GAIA_CA_FILE.\n"
      "Exit codes: 0 done, 2 usage, connection or server error; each command's --help lists "
      "its own.");
  app.set_version_flag("--version", std::string("gaia ") + core::kVersion);
  // Subcommands inherit this, so the global options may follow them: gaia quota --json.
  app.fallthrough();

  std::string url_text = "http://127.0.0.1:8080", key, ca_file;
  bool json = false;
  CLI::Option* url_opt = app.add_option("--url", url_text, "server URL, http:// or https://")
                             ->envname("GAIA_URL")
                             ->capture_default_str();
  app.add_option("--key", key, "API key")->envname("GAIA_KEY");
  app.add_option("--ca-file", ca_file,
                 "PEM file of CA certificates for an https:// server (default: the "
                 "system's)")
      ->envname("GAIA_CA_FILE")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", json, "print the server's JSON body verbatim instead of text");

  CheckArgs check_args;
  int64_t cost = 1;
  std::string command, user;
  CLI::App* check = app.add_subcommand("check", "ask whether a command of TYPE may run now");
  check->footer(
      "Exit codes: 0 admitted, 1 refused by a limit or for load, 2 usage, connection or server "
      "error.");
  check->add_option("type", check_args.type, "command type, e.g. shell")->required();
  CLI::Option* cost_opt = check->add_option("--cost", cost, "units it costs (default 1)");
  CLI::Option* command_opt = check->add_option("--command", command, "the command line, logged");
  CLI::Option* user_opt = check->add_option("--user", user, "act for this user (service key)");

  CLI::App* quota = app.add_subcommand("quota", "show your limits: used, remaining, reset");
  quota->footer(kPlainCodes);

  std::string name, tier;
  CLI::App* users = app.add_subcommand("users", "manage users (admin key)");
  users->footer(kPlainCodes);
  CLI::App* users_create = users->add_subcommand("create", "create user NAME");
  users_create->add_option("name", name, "user name")->required();
  CLI::Option* tier_opt =
      users_create->add_option("--tier", tier, "default, premium or enterprise");
  CLI::App* users_tier = users->add_subcommand("tier", "set the tier of user NAME");
  users_tier->add_option("name", name, "user name")->required();
  users_tier->add_option("tier", tier, "default, premium or enterprise")->required();

  KeyArgs key_args;
  std::string role, label, key_id;
  CLI::App* keys = app.add_subcommand("keys", "manage API keys (admin key)");
  keys->footer(kPlainCodes);
  CLI::App* keys_create = keys->add_subcommand("create", "create an API key for USER");
  keys_create->add_option("user", key_args.user, "user name")->required();
  CLI::Option* role_opt = keys_create->add_option("--role", role, "admin, service or user");
  CLI::Option* label_opt = keys_create->add_option("--label", label, "a note on the key");
  CLI::App* keys_revoke = keys->add_subcommand("revoke", "revoke the API key with this id");
  keys_revoke->add_option("id", key_id, "key id")->required();

  for (CLI::App* c : {users_create, users_tier, keys_create, keys_revoke}) c->footer(kPlainCodes);

  ExecArgs exec_args;
  std::vector<std::string> env_assignments;
  int64_t timeout_s = 0;
  std::string cwd, exec_id;
  CLI::App* exec = app.add_subcommand(
      "exec", "run a command through the server, its output here: exec --type T -- ARGV...");
  exec->footer(
      "Exit codes: the command's own code; 128+N killed by signal N; 125 refused or gaia's own "
      "error; 126 cannot execute; 127 not found.");
  exec->add_option("--type", exec_args.type, "command type, e.g. shell")->required();
  CLI::Option* cwd_opt = exec->add_option("--cwd", cwd, "directory to run it in, on the server");
  CLI::Option* timeout_opt =
      exec->add_option("--timeout", timeout_s, "seconds before it is stopped")
          ->check(CLI::PositiveNumber);
  exec->add_option("--env", env_assignments, "NAME=VALUE for its environment; repeatable")
      ->allow_extra_args(false);
  std::vector<std::string> limit_assignments;
  exec->add_option("--limit", limit_assignments,
                   "NAME=N resource limit (memory_bytes, cpu_millicores, cpu_seconds, "
                   "max_processes, open_files, output_bytes); repeatable")
      ->allow_extra_args(false);
  exec->add_flag("--agent", exec_args.agent, "proposed by an AI agent: the policy decides");
  CLI::Option* id_opt = exec->add_option("--id", exec_id, "the execution's id (default: random)");
  exec->add_option("argv", exec_args.argv, "the program and its arguments, after --")->required();

  RunArgs run_args;
  int parallelism = 0, max_wait_s = 600;
  CLI::App* run_cmd = app.add_subcommand("run", "run a workflow file through the server");
  run_cmd->footer(
      "Exit codes: 0 every task succeeded, 1 a task did not, 2 usage error or invalid workflow, "
      "130/143 interrupted.");
  run_cmd->add_option("workflow", run_args.file, "WORKFLOW.yaml")->required();
  CLI::Option* parallelism_opt =
      run_cmd->add_option("--parallelism", parallelism, "tasks at once (default: the file's)");
  run_cmd->add_flag("--wait-on-refusal", run_args.wait_on_refusal,
                    "retry a refused task after Retry-After instead of failing");
  run_cmd->add_option("--max-wait", max_wait_s, "with --wait-on-refusal: give up after S seconds")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  ReportArgs report_args;
  std::string report_from, report_to, report_bucket, report_group_by, report_metrics;
  int64_t rebuild_from = 0, rebuild_to = 0;
  CLI::App* admin = app.add_subcommand(
      "admin", "list users, keys, rules, alerts, approvals; reports (admin key)");
  admin->footer(kPlainCodes);
  ListArgs list_args;
  CLI::App* admin_users = admin->add_subcommand("users", "list users");
  admin_users->add_option("--name", list_args.query, "only names containing this");
  admin_users->add_option("--tier", list_args.tier, "only this tier");
  CLI::App* admin_keys = admin->add_subcommand("keys", "list the API keys of USER");
  admin_keys->add_option("user", list_args.user, "user name")->required();
  CLI::App* admin_rules = admin->add_subcommand("rules", "list the quota rules");
  CLI::App* admin_alerts = admin->add_subcommand("alerts", "list alerts, newest first");
  admin_alerts->add_option("--state", list_args.state, "pending, firing or resolved");
  CLI::App* admin_approvals =
      admin->add_subcommand("approvals", "list the commands waiting for a person's approval");
  for (CLI::App* list : {admin_users, admin_keys, admin_rules, admin_alerts, admin_approvals}) {
    list->footer(kPlainCodes);
  }
  CLI::App* report_cmd = admin->add_subcommand("report", "print an analytics report");
  report_cmd->footer(kPlainCodes);
  CLI::Option* from_opt =
      report_cmd->add_option("--from", report_from, "start: ms since the epoch or RFC 3339");
  CLI::Option* to_opt = report_cmd->add_option("--to", report_to, "end (default: now)");
  CLI::Option* bucket_opt =
      report_cmd->add_option("--bucket", report_bucket, "minute, hour or day");
  CLI::Option* group_opt =
      report_cmd->add_option("--group-by", report_group_by, "user,type,key,outcome (any)");
  report_cmd->add_option("--filter", report_args.filters, "user=NAME, type=TYPE, outcome=...");
  CLI::Option* metrics_opt =
      report_cmd->add_option("--metrics", report_metrics, "count,cost,duration,cpu,memory");
  report_cmd->add_option("--format", report_args.format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  CLI::App* rebuild_cmd = admin->add_subcommand(
      "rebuild-aggregates", "rebuild executions' and refusals' aggregates from raw rows");
  rebuild_cmd->footer(kPlainCodes);
  CLI::Option* rebuild_from_opt =
      rebuild_cmd->add_option("--from", rebuild_from, "start, ms (default: 30 days ago)");
  CLI::Option* rebuild_to_opt =
      rebuild_cmd->add_option("--to", rebuild_to, "end, ms (default: now)");

  HookOptions hook_options;
  int64_t hook_timeout_ms = 5000;
  std::vector<std::string> agent_names;
  for (const HookAgent& a : hook_agents()) agent_names.push_back(a.name);
  std::string agent_name = "claude", scope_name;
  CLI::App* hook = app.add_subcommand(
      "hook", "gate an AI coding agent's shell commands: install, doctor (docs/hook.md)");
  hook->footer("Exit codes: see gaia hook <command> --help.");
  CLI::App* hook_pre = hook->add_subcommand(
      "pre-tool-use", "read the hook JSON on stdin, ask the server's confirmation policy");
  hook_pre->footer(
      "Exit codes: 0 answered (the decision is in the JSON); with --exit-code-only 0 allow, 2 "
      "block; 2 usage error.");
  CLI::App* hook_install_cmd =
      hook->add_subcommand("install", "put the hook into the agent's settings and try it");
  hook_install_cmd->footer(
      "Exit codes: 0 installed (or already), 2 settings unreadable, malformed or unwritable, or "
      "the dry run failed.");
  CLI::App* hook_doctor_cmd =
      hook->add_subcommand("doctor", "say what would let a command through");
  hook_doctor_cmd->footer("Exit codes: 0 no problem found, 1 problems found, 2 usage error.");
  for (CLI::App* c : {hook_pre, hook_install_cmd, hook_doctor_cmd}) {
    c->add_option("--agent", agent_name, "the agent: claude, codex, gemini or cursor")
        ->check(CLI::IsMember(agent_names))
        ->capture_default_str();
  }
  for (CLI::App* c : {hook_install_cmd, hook_doctor_cmd}) {
    c->add_option("--scope", scope_name,
                  "user (under $HOME) or project (under this directory); install: user")
        ->check(CLI::IsMember({"user", "project"}));
  }

  std::string shell;
  CLI::App* completion =
      app.add_subcommand("completion", "print a completion script: source <(gaia completion bash)");
  completion->add_option("shell", shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->footer("Exit codes: 0 printed, 2 usage error.");
  hook_pre->add_flag("--exit-code-only", hook_options.exit_code_only,
                     "exit 2 with the reason on stderr to block, 0 to allow; no JSON");
  hook_pre->add_option("--timeout-ms", hook_timeout_ms, "longest wait for the server")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  hook_pre
      ->add_option("--fallback", hook_options.fallback,
                   "allow, deny or ask when the server cannot decide")
      ->check(CLI::IsMember({"allow", "deny", "ask"}))
      ->capture_default_str();

  // exec's own failures exit 125 (as env(1)), so that they differ from the command's codes.
  const auto usage_code = [&] { return *exec ? kExitExecFailed : kExitError; };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, env.out, env.err);  // --help
    env.err << "gaia: " << e.what() << " (see gaia --help)\n";
    return usage_code();
  }

  // Checked by hand rather than with require_subcommand(), so that a mistyped command is
  // reported as unexpected rather than as a missing subcommand.
  const bool admin_list =
      *admin_users || *admin_keys || *admin_rules || *admin_alerts || *admin_approvals;
  if (!*check && !*quota && !*users_create && !*users_tier && !*keys_create && !*keys_revoke &&
      !*exec && !*run_cmd && !*hook_pre && !*hook_install_cmd && !*hook_doctor_cmd &&
      !*report_cmd && !*rebuild_cmd && !admin_list && !*completion) {
    env.err << "gaia: name a command: check, exec, run, quota, users create|tier, keys "
               "create|revoke, admin users|keys|rules|alerts|approvals|report|rebuild-aggregates, "
               "hook install|doctor|pre-tool-use, completion (see gaia --help)\n";
    return kExitError;
  }
  if (*completion) {
    env.out << completion_script(app, shell);
    return kExitOk;
  }

  gaia::core::Result<Url> url = parse_server_url(url_text);
  if (!url.ok()) {
    env.err << "gaia: " << url.status().message() << '\n';
    return usage_code();
  }
  const HookAgent agent = find_hook_agent(agent_name).value();
  if (*hook_pre) {  // without a key the hook answers its fallback
    hook_options.timeout = std::chrono::milliseconds(hook_timeout_ms);
    hook_options.agent = agent;
    hook_options.ca_file = ca_file;
    return run_pre_tool_use(std::cin, env.out, env.err, url.value(), key, hook_options, env.clock);
  }
  if (*hook_install_cmd || *hook_doctor_cmd) {
    std::error_code ec;
    const char* home = std::getenv("HOME");
    HookSetup setup{
        .agent = agent,
        .gaia_path = env.self_path,
        .home = home != nullptr ? home : "",
        .project_dir = std::filesystem::current_path(ec).string(),
        .url = given(url_opt, url->text),
        .ca_file = ca_file.empty() ? "" : std::filesystem::absolute(ca_file, ec).string(),
        .server = url.value(),
        .key = key};
    std::optional<HookScope> scope;
    if (!scope_name.empty()) scope = scope_name == "user" ? HookScope::kUser : HookScope::kProject;
    if (*hook_doctor_cmd) return hook_doctor(setup, scope, env.clock, env.out);
    if (setup.gaia_path.empty() || setup.home.empty()) {
      env.err << "gaia: cannot tell " << (setup.home.empty() ? "$HOME" : "this program's path")
              << "\n";
      return kExitError;
    }
    return install_hook(setup, scope.value_or(HookScope::kUser), env.clock, env.out, env.err);
  }
  if (key.empty()) {
    env.err << "gaia: set GAIA_KEY or pass --key\n";
    return usage_code();
  }
  for (const std::string& a : env_assignments) {
    auto pair = parse_env_assignment(a);
    if (!pair.ok()) {
      env.err << "gaia: " << pair.status().message() << '\n';
      return usage_code();
    }
    exec_args.env.push_back(std::move(pair.value()));
  }
  for (const std::string& a : limit_assignments) {
    auto pair = parse_limit_assignment(a);
    if (!pair.ok()) {
      env.err << "gaia: " << pair.status().message() << '\n';
      return usage_code();
    }
    exec_args.limits.push_back(std::move(pair.value()));
  }
  core::Result<std::unique_ptr<HttpClient>> client =
      env.connect({.url = url.value(), .ca_file = ca_file, .streaming = *exec || *run_cmd});
  if (!client.ok()) {
    env.err << "gaia: " << client.status().message() << '\n';
    return usage_code();
  }
  const Session session{*client.value(), key, env.out, env.err, env.clock, json};

  if (*exec) {
    exec_args.cwd = given(cwd_opt, cwd);
    exec_args.timeout_s = given(timeout_opt, timeout_s);
    exec_args.id = given(id_opt, exec_id);
    return gaia::cli::exec(session, exec_args);
  }
  if (*run_cmd) {
    run_args.parallelism = given(parallelism_opt, parallelism);
    run_args.max_wait = std::chrono::seconds(max_wait_s);
    return run_workflow_file(session, run_args);
  }

  if (*check) {
    check_args.cost = given(cost_opt, cost);
    check_args.command = given(command_opt, command);
    check_args.user = given(user_opt, user);
    return gaia::cli::check(session, check_args);
  }
  if (*quota) return gaia::cli::quota(session);
  // Listings say how long ago things happened: the one reading of the wall clock.
  list_args.now_ms = core::to_ms(env.clock.wall_now());
  if (*admin_users) return list_users(session, list_args);
  if (*admin_keys) return list_keys(session, list_args);
  if (*admin_rules) return list_rules(session, list_args);
  if (*admin_alerts) return list_alerts(session, list_args);
  if (*admin_approvals) return list_approvals(session, list_args);
  if (*report_cmd) {
    report_args.from = given(from_opt, report_from);
    report_args.to = given(to_opt, report_to);
    report_args.bucket = given(bucket_opt, report_bucket);
    report_args.group_by = given(group_opt, report_group_by);
    report_args.metrics = given(metrics_opt, report_metrics);
    return report(session, report_args);
  }
  if (*rebuild_cmd) {
    return rebuild_aggregates(session, given(rebuild_from_opt, rebuild_from),
                              given(rebuild_to_opt, rebuild_to));
  }
  if (*users_create) return create_user(session, name, given(tier_opt, tier));
  if (*users_tier) return set_tier(session, name, tier);
  if (*keys_create) {
    key_args.role = given(role_opt, role);
    key_args.label = given(label_opt, label);
    return create_key(session, key_args);
  }
  return revoke_key(session, key_id);
}

}  // namespace gaia::cli
