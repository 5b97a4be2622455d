// gaia: the command-line client of gaia_server. Parses the command line, finds the server
// (GAIA_URL or --url) and the key (GAIA_KEY or --key), and runs one subcommand. Exit codes:
// 0 done or admitted, 1 check refused, 2 usage, connection or server error.

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "cli/http_client.h"
#include "cli/url.h"

namespace gaia::cli {
namespace {

constexpr auto kTimeout = std::chrono::seconds(10);  // each connect, write and read wait

// `value` if the option was given on the command line, else nullopt.
template <class T>
std::optional<T> given(const CLI::Option* option, const T& value) {
  return option->count() > 0 ? std::optional<T>(value) : std::nullopt;
}

int run(int argc, char** argv) {
  CLI::App app("gaia: ask a Gaia server whether a command may run; manage its users and keys.",
               "gaia");
  app.footer(
      "Environment: GAIA_URL (default http://127.0.0.1:8080), GAIA_KEY (an API key).\n"
      "Exit codes: 0 done (check: admitted), 1 check refused, 2 usage, connection or server "
      "error.");
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "gaia: " << e.what() << " (see gaia --help)\n";
    return kExitError;
  }

  // Checked by hand rather than with require_subcommand(), so that a mistyped command is
  // reported as unexpected rather than as a missing subcommand.
  if (!*check && !*quota && !*users_create && !*users_tier && !*keys_create && !*keys_revoke) {
    std::cerr << "gaia: name a command: check, quota, users create|tier, keys create|revoke "
                 "(see gaia --help)\n";
    return kExitError;
  }

  gaia::core::Result<Url> url = parse_url(url_text);
  if (!url.ok()) {
    std::cerr << "gaia: " << url.status().message() << '\n';
    return kExitError;
  }
  if (key.empty()) {
    std::cerr << "gaia: set GAIA_KEY or pass --key\n";
    return kExitError;
  }
  SocketHttpClient client(url.value(), kTimeout);
  const Session session{client, key, std::cout, std::cerr, json};

  if (*check) {
    check_args.cost = given(cost_opt, cost);
    check_args.command = given(command_opt, command);
    check_args.user = given(user_opt, user);
    return gaia::cli::check(session, check_args);
  }
  if (*quota) return gaia::cli::quota(session);
  if (*users_create) return create_user(session, name, given(tier_opt, tier));
  if (*users_tier) return set_tier(session, name, tier);
  if (*keys_create) {
    key_args.role = given(role_opt, role);
    key_args.label = given(label_opt, label);
    return create_key(session, key_args);
  }
  return revoke_key(session, key_id);
}

}  // namespace
}  // namespace gaia::cli

int main(int argc, char** argv) { return gaia::cli::run(argc, argv); }
