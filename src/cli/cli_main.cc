#include "cli/cli_main.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/exec_command.h"
#include "cli/hook.h"
#include "cli/report_command.h"
#include "cli/run_command.h"

namespace gaia::cli {
namespace {

// `value` if the option was given on the command line, else nullopt.
template <class T>
std::optional<T> given(const CLI::Option* option, const T& value) {
  return option->count() > 0 ? std::optional<T>(value) : std::nullopt;
}

}  // namespace

int run_cli(int argc, const char* const* argv, const CliEnvironment& env) {
  CLI::App app(
      "gaia: run commands through a Gaia server, or ask whether one may run; manage its users "
      "and keys.",
      "gaia");
  app.footer(
      "Environment: GAIA_URL (default http://127.0.0.1:8080), GAIA_KEY (an API key).\n"
      "Exit codes: 0 done (check: admitted), 1 check refused, 2 usage, connection or server "
      "error.\n"
      "exec: the command's own code; 128+N killed by signal N; 125 refused or error; 126 cannot "
      "execute; 127 not found.\n"
      "run: 0 all tasks succeeded, 1 a task did not, 2 usage error or invalid workflow.");
  // Subcommands inherit this, so the global options may follow them: gaia quota --json.
  app.fallthrough();

  std::string url_text = "http://127.0.0.1:8080", key;
  bool json = false;
  app.add_option("--url", url_text, "server URL, http:// only")
      ->envname("GAIA_URL")
      ->capture_default_str();
  app.add_option("--key", key, "API key")->envname("GAIA_KEY");
  app.add_flag("--json", json, "print the server's JSON body verbatim instead of text");

  CheckArgs check_args;
  int64_t cost = 1;
  std::string command, user;
  CLI::App* check = app.add_subcommand("check", "ask whether a command of TYPE may run now");
  check->add_option("type", check_args.type, "command type, e.g. shell")->required();
  CLI::Option* cost_opt = check->add_option("--cost", cost, "units it costs (default 1)");
  CLI::Option* command_opt = check->add_option("--command", command, "the command line, logged");
  CLI::Option* user_opt = check->add_option("--user", user, "act for this user (service key)");

  CLI::App* quota = app.add_subcommand("quota", "show your limits: used, remaining, reset");

  std::string name, tier;
  CLI::App* users = app.add_subcommand("users", "manage users (admin key)");
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
  CLI::App* keys_create = keys->add_subcommand("create", "create an API key for USER");
  keys_create->add_option("user", key_args.user, "user name")->required();
  CLI::Option* role_opt = keys_create->add_option("--role", role, "admin, service or user");
  CLI::Option* label_opt = keys_create->add_option("--label", label, "a note on the key");
  CLI::App* keys_revoke = keys->add_subcommand("revoke", "revoke the API key with this id");
  keys_revoke->add_option("id", key_id, "key id")->required();

  ExecArgs exec_args;
  std::vector<std::string> env_assignments;
  int64_t timeout_s = 0;
  std::string cwd, exec_id;
  CLI::App* exec = app.add_subcommand(
      "exec", "run a command through the server, its output here: exec --type T -- ARGV...");
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
  CLI::App* admin = app.add_subcommand("admin", "analytics reports and upkeep (admin key)");
  CLI::App* report_cmd = admin->add_subcommand("report", "print an analytics report");
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
  CLI::Option* rebuild_from_opt =
      rebuild_cmd->add_option("--from", rebuild_from, "start, ms (default: 30 days ago)");
  CLI::Option* rebuild_to_opt =
      rebuild_cmd->add_option("--to", rebuild_to, "end, ms (default: now)");

  HookOptions hook_options;
  int64_t hook_timeout_ms = 5000;
  CLI::App* hook = app.add_subcommand("hook", "answer an AI coding agent's hook (docs/cli.md)");
  CLI::App* hook_pre = hook->add_subcommand(
      "pre-tool-use", "read the hook JSON on stdin, ask the server's confirmation policy");
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
  if (!*check && !*quota && !*users_create && !*users_tier && !*keys_create && !*keys_revoke &&
      !*exec && !*run_cmd && !*hook_pre && !*report_cmd && !*rebuild_cmd) {
    env.err
        << "gaia: name a command: check, exec, run, quota, users create|tier, keys "
           "create|revoke, admin report|rebuild-aggregates, hook pre-tool-use (see gaia --help)\n";
    return kExitError;
  }

  gaia::core::Result<Url> url = parse_server_url(url_text);
  if (!url.ok()) {
    env.err << "gaia: " << url.status().message() << '\n';
    return usage_code();
  }
  if (*hook_pre) {  // without a key the hook answers its fallback
    hook_options.timeout = std::chrono::milliseconds(hook_timeout_ms);
    return run_pre_tool_use(std::cin, env.out, env.err, url.value(), key, hook_options);
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
  core::Result<std::unique_ptr<HttpClient>> client = env.connect(url.value(), *exec || *run_cmd);
  if (!client.ok()) {
    env.err << "gaia: " << client.status().message() << '\n';
    return usage_code();
  }
  const Session session{*client.value(), key, env.out, env.err, json};

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
