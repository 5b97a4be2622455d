// Runs the real `gaia` binary against the real gaia_server, as a user at a shell would:
// arguments and environment in; stdout, stderr and the exit code out.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/gaia_server_test.h"
#include "support/loopback_port.h"
#include "support/tls_peer.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "cli-integration-admin-key-0123456789abcdef";
// gaia with exactly `args` and `env`.
CliRun run_gaia(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return run_program(GAIA_CLI_PATH, args, env);
}

std::string describe(const CliRun& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

// The line of `text` that starts with `prefix`, or "".
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) return line;
  }
  return "";
}

class CliTest : public GaiaServerTest {
 protected:
  CliTest() : GaiaServerTest(kAdminKey) {}
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // gaia `args` with GAIA_URL set to the server, and GAIA_KEY to `key` unless it is empty.
  CliRun gaia(const std::vector<std::string>& args, const std::string& key) {
    std::vector<std::string> env = {"GAIA_URL=" + url()};
    if (!key.empty()) env.push_back("GAIA_KEY=" + key);
    return run_gaia(args, env);
  }
  CliRun admin(const std::vector<std::string>& args) { return gaia(args, kAdminKey); }

  // Creates `name` and a key for it through the CLI; returns the key.
  std::string user_with_key(const std::string& name) {
    CliRun user = admin({"users", "create", name});
    EXPECT_EQ(user.exit_code, 0) << describe(user);
    CliRun key = admin({"keys", "create", name, "--json"});
    EXPECT_EQ(key.exit_code, 0) << describe(key);
    return std::string(boost::json::parse(key.out).at("key").as_string());
  }
};

TEST_F(CliTest, CreatesAUserAndAKeyThatIsThenAdmitted) {
  start();
  CliRun user = admin({"users", "create", "alice"});
  EXPECT_EQ(user.exit_code, 0) << describe(user);
  EXPECT_EQ(user.out, "created user alice (id 2, tier default)\n");

  CliRun key = admin({"keys", "create", "alice", "--label", "laptop"});
  ASSERT_EQ(key.exit_code, 0) << describe(key);
  EXPECT_TRUE(key.out.starts_with("created key ")) << key.out;
  EXPECT_NE(key.out.find("label laptop"), std::string::npos) << key.out;
  const std::string alice_key = line_starting(key.out, "gaia_");
  ASSERT_FALSE(alice_key.empty()) << key.out;

  CliRun check = gaia({"check", "shell"}, alice_key);
  EXPECT_EQ(check.exit_code, 0) << describe(check);
  EXPECT_TRUE(
      check.out.starts_with("allowed: shell for alice (cost 1); shell-day (500 per day): "
                            "499 left, resets in "))
      << check.out;
  EXPECT_EQ(check.err, "");
}

TEST_F(CliTest, RefusalExitsOneNamingTheLimitAndWhenToRetry) {
  start();
  const std::string key = user_with_key("alice");
  ASSERT_EQ(gaia({"check", "shell"}, key).exit_code, 0);
  CliRun refused = gaia({"check", "shell", "--cost", "500", "--command", "make -j64"}, key);
  EXPECT_EQ(refused.exit_code, 1) << describe(refused);
  EXPECT_TRUE(refused.out.starts_with(
      "refused: shell for alice (cost 500); limit shell-day (500 per day): 499 left; retry after "))
      << refused.out;

  // A cost no limit can ever admit is bad input (400), not a refusal.
  CliRun never = gaia({"check", "shell", "--cost", "501"}, key);
  EXPECT_EQ(never.exit_code, 2) << describe(never);
  EXPECT_NE(never.err.find("more than limit shell-day allows at all (500)"), std::string::npos)
      << never.err;
}

TEST_F(CliTest, QuotaShowsWhatWasUsed) {
  start();
  const std::string key = user_with_key("alice");
  ASSERT_EQ(gaia({"check", "shell", "--cost", "7"}, key).exit_code, 0);
  CliRun quota = gaia({"quota"}, key);
  ASSERT_EQ(quota.exit_code, 0) << describe(quota);
  EXPECT_TRUE(quota.out.starts_with("user alice, tier default\nPOLICY")) << quota.out;
  const std::string day = line_starting(quota.out, "shell-day ");
  EXPECT_NE(day.find(" calendar day "), std::string::npos) << quota.out;
  EXPECT_NE(day.find(" 7/500 "), std::string::npos) << quota.out;
  EXPECT_NE(day.find(" 493 "), std::string::npos) << quota.out;
  EXPECT_NE(line_starting(quota.out, "code-day ").find(" 0/300 "), std::string::npos) << quota.out;
}

TEST_F(CliTest, JsonPrintsTheServerBodies) {
  start();
  const std::string key = user_with_key("alice");
  CliRun check = gaia({"check", "shell", "--cost", "3", "--json"}, key);
  ASSERT_EQ(check.exit_code, 0) << describe(check);
  boost::json::value decision = boost::json::parse(check.out);
  EXPECT_EQ(decision.at("allowed"), true);
  EXPECT_EQ(decision.at("cost"), 3);
  EXPECT_EQ(decision.at("limit").at("policy"), "shell-day");

  CliRun refused = gaia({"--json", "check", "shell", "--cost", "498"}, key);
  ASSERT_EQ(refused.exit_code, 1) << describe(refused);
  EXPECT_EQ(boost::json::parse(refused.out).at("allowed"), false);

  CliRun quota = gaia({"quota", "--json"}, key);
  ASSERT_EQ(quota.exit_code, 0) << describe(quota);
  boost::json::value status = boost::json::parse(quota.out);
  EXPECT_EQ(status.at("user"), "alice");
  EXPECT_EQ(status.at("quotas").at(0).at("used"), 3);

  CliRun tier = admin({"users", "tier", "alice", "premium", "--json"});
  ASSERT_EQ(tier.exit_code, 0) << describe(tier);
  EXPECT_EQ(boost::json::parse(tier.out).at("tier"), "premium");
}

TEST_F(CliTest, BadInputNamesTheFieldAndExitsTwo) {
  start();
  const std::string key = user_with_key("alice");
  CliRun zero = gaia({"check", "shell", "--cost", "0"}, key);
  EXPECT_EQ(zero.exit_code, 2) << describe(zero);
  EXPECT_EQ(zero.err, "gaia: cost: must be between 1 and 1000000\n");
  EXPECT_EQ(zero.out, "");

  CliRun type = gaia({"check", "mine"}, key);
  EXPECT_EQ(type.exit_code, 2) << describe(type);
  EXPECT_EQ(type.err, "gaia: type: unknown command type mine\n");

  CliRun not_a_number = gaia({"check", "shell", "--cost", "many"}, key);
  EXPECT_EQ(not_a_number.exit_code, 2) << describe(not_a_number);
  EXPECT_NE(not_a_number.err.find("--cost"), std::string::npos) << not_a_number.err;

  CliRun tier = admin({"users", "tier", "alice", "gold"});
  EXPECT_EQ(tier.exit_code, 2) << describe(tier);
  EXPECT_EQ(tier.err, "gaia: tier: must be default, premium or enterprise\n");

  CliRun again = admin({"users", "create", "alice"});
  EXPECT_EQ(again.exit_code, 2) << describe(again);
  EXPECT_NE(again.err.find("409"), std::string::npos) << again.err;

  CliRun no_command = admin({});
  EXPECT_EQ(no_command.exit_code, 2) << describe(no_command);
  EXPECT_TRUE(no_command.err.starts_with("gaia: name a command")) << no_command.err;
}

TEST_F(CliTest, WithoutAKeyItSaysHowToGiveOne) {
  start();
  CliRun run = gaia({"quota"}, "");
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_EQ(run.err, "gaia: set GAIA_KEY or pass --key\n");
  EXPECT_EQ(run.out, "");

  CliRun wrong = gaia({"quota"}, "gaia_not-a-key");
  EXPECT_EQ(wrong.exit_code, 2) << describe(wrong);
  EXPECT_NE(wrong.err.find("HTTP 401"), std::string::npos) << wrong.err;
}

TEST_F(CliTest, AdminCommandsNeedAnAdminKey) {
  start();
  const std::string key = user_with_key("alice");
  CliRun run = gaia({"users", "create", "mallory"}, key);
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_EQ(run.err, "gaia: this endpoint needs an admin key (HTTP 403 forbidden)\n");
}

TEST_F(CliTest, FlagsOverrideTheEnvironment) {
  start();
  const std::string key = user_with_key("alice");
  // GAIA_URL names a port nobody listens on and GAIA_KEY a wrong key; the flags win.
  CliRun run = run_gaia(
      {"quota", "--url", url(), "--key", key},
      {"GAIA_URL=http://127.0.0.1:" + std::to_string(refused_port()), "GAIA_KEY=gaia_wrong"});
  EXPECT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_TRUE(run.out.starts_with("user alice,")) << run.out;
}

TEST_F(CliTest, ServerDownIsAConnectionErrorExitingTwo) {
  const std::string address = "127.0.0.1:" + std::to_string(refused_port());
  CliRun run = run_gaia({"check", "shell"}, {"GAIA_URL=http://" + address, "GAIA_KEY=gaia_any"});
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_EQ(run.err, "gaia: cannot connect to " + address + ": Connection refused\n");
  EXPECT_EQ(run.out, "");
}

TEST_F(CliTest, HttpsUrlsAreTakenAndOtherSchemesRefusedClearly) {
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  CliRun https = run_gaia({"quota"}, {"GAIA_URL=https://" + address, "GAIA_KEY=gaia_any"});
  EXPECT_EQ(https.exit_code, 2) << describe(https);
  EXPECT_EQ(https.err, "gaia: cannot connect to " + address + ": Connection refused\n");
  CliRun ftp = run_gaia({"quota"}, {"GAIA_URL=ftp://gaia.example", "GAIA_KEY=gaia_any"});
  EXPECT_EQ(ftp.exit_code, 2) << describe(ftp);
  EXPECT_TRUE(ftp.err.starts_with("gaia: URL must start with http:// or https://")) << ftp.err;
}

TEST_F(CliTest, RevokedKeyIsNoLongerAccepted) {
  start();
  ASSERT_EQ(admin({"users", "create", "alice"}).exit_code, 0);
  CliRun created = admin({"keys", "create", "alice", "--json"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  const boost::json::value key = boost::json::parse(created.out);
  const std::string id = std::to_string(key.at("id").to_number<int64_t>());
  const std::string secret(key.at("key").as_string());
  ASSERT_EQ(gaia({"check", "shell"}, secret).exit_code, 0);

  CliRun revoked = admin({"keys", "revoke", id});
  EXPECT_EQ(revoked.exit_code, 0) << describe(revoked);
  EXPECT_TRUE(revoked.out.starts_with("revoked key " + id + " ")) << revoked.out;

  CliRun check = gaia({"check", "shell"}, secret);
  EXPECT_EQ(check.exit_code, 2) << describe(check);
  EXPECT_NE(check.err.find("did not accept the API key"), std::string::npos) << check.err;

  CliRun unknown = admin({"keys", "revoke", "9999"});
  EXPECT_EQ(unknown.exit_code, 2) << describe(unknown);
  EXPECT_NE(unknown.err.find("HTTP 404"), std::string::npos) << unknown.err;
}

TEST_F(CliTest, VersionPrintsTheVersion) {
  CliRun run = run_gaia({"--version"}, {});
  EXPECT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_TRUE(run.out.starts_with("gaia 0.")) << run.out;
}

TEST_F(CliTest, EachCommandsHelpListsOnlyItsOwnExitCodes) {
  CliRun check = run_gaia({"check", "--help"}, {});
  EXPECT_EQ(check.exit_code, 0) << describe(check);
  EXPECT_NE(check.out.find("1 refused by a limit"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("127"), std::string::npos) << check.out;
  CliRun exec = run_gaia({"exec", "--help"}, {});
  EXPECT_NE(exec.out.find("127 not found"), std::string::npos) << exec.out;
  EXPECT_EQ(exec.out.find("1 refused by a limit"), std::string::npos) << exec.out;
  CliRun create = run_gaia({"users", "create", "--help"}, {});
  EXPECT_NE(create.out.find("Exit codes: 0 done, 2 usage"), std::string::npos) << create.out;
  CliRun doctor = run_gaia({"hook", "doctor", "--help"}, {});
  EXPECT_NE(doctor.out.find("1 problems found"), std::string::npos) << doctor.out;
}

TEST_F(CliTest, BashCompletionRegistersAndCompletesCommands) {
  const std::string script = "source <(" + std::string(GAIA_CLI_PATH) +
                             " completion bash) && complete -p gaia && "
                             "COMP_WORDS=(gaia admin ap) COMP_CWORD=2 && _gaia && "
                             "echo \"[${COMPREPLY[*]}]\"";
  CliRun run = run_program("/bin/bash", {"-c", script}, {});
  EXPECT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_NE(run.out.find("complete -o default -F _gaia gaia"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("[approvals]"), std::string::npos) << run.out;
  CliRun zsh = run_gaia({"completion", "zsh"}, {});
  EXPECT_EQ(zsh.exit_code, 0) << describe(zsh);
  EXPECT_NE(zsh.out.find("bashcompinit"), std::string::npos) << zsh.out;
}

TEST_F(CliTest, AdminListsShowUsersKeysAndRulesWithHumanTimes) {
  start();
  const std::string key = user_with_key("alice");
  CliRun users = admin({"admin", "users"});
  EXPECT_EQ(users.exit_code, 0) << describe(users);
  EXPECT_TRUE(users.out.starts_with("NAME")) << users.out;
  const std::string alice = line_starting(users.out, "alice ");
  // "2026-12-06T15:42:01+00:00 (just now)": RFC 3339 in the local zone, then how long ago.
  EXPECT_TRUE(alice.find("just now)") != std::string::npos ||
              alice.find(" ago)") != std::string::npos)
      << users.out;

  CliRun keys = admin({"admin", "keys", "alice"});
  EXPECT_EQ(keys.exit_code, 0) << describe(keys);
  EXPECT_TRUE(keys.out.starts_with("ID")) << keys.out;
  EXPECT_NE(keys.out.find("user"), std::string::npos) << keys.out;

  CliRun rules = admin({"admin", "rules"});
  EXPECT_EQ(rules.exit_code, 0) << describe(rules);
  EXPECT_NE(line_starting(rules.out, "default-shell").find("500/day"), std::string::npos)
      << rules.out;

  CliRun json = admin({"admin", "users", "--json"});
  EXPECT_EQ(json.exit_code, 0) << describe(json);
  EXPECT_TRUE(boost::json::parse(json.out).at("users").is_array()) << json.out;

  CliRun approvals = admin({"admin", "approvals"});
  EXPECT_EQ(approvals.exit_code, 0) << describe(approvals);
  EXPECT_EQ(approvals.out, "no commands wait for approval\n");
  CliRun alerts = admin({"admin", "alerts", "--state", "firing"});
  EXPECT_EQ(alerts.exit_code, 0) << describe(alerts);

  CliRun not_admin = gaia({"admin", "users"}, key);
  EXPECT_EQ(not_admin.exit_code, 2) << describe(not_admin);
}

TEST_F(CliTest, HttpsThroughATlsFrontTrustedByGaiaCaFile) {
  start();
  TlsPeer tls(port_);
  ASSERT_TRUE(tls.ok()) << "openssl or python3 could not start the TLS front";
  CliRun trusted = run_gaia({"quota"}, {"GAIA_URL=" + tls.url(), "GAIA_KEY=" + kAdminKey,
                                        "GAIA_CA_FILE=" + tls.ca_file()});
  EXPECT_EQ(trusted.exit_code, 0) << describe(trusted);
  EXPECT_TRUE(trusted.out.starts_with("user ")) << trusted.out;
  CliRun flag = run_gaia({"--ca-file", tls.ca_file(), "quota"},
                         {"GAIA_URL=" + tls.url(), "GAIA_KEY=" + kAdminKey});
  EXPECT_EQ(flag.exit_code, 0) << describe(flag);
  CliRun unknown = run_gaia({"quota"}, {"GAIA_URL=" + tls.url(), "GAIA_KEY=" + kAdminKey});
  EXPECT_EQ(unknown.exit_code, 2) << describe(unknown);
  EXPECT_TRUE(unknown.err.starts_with("gaia: localhost:" + std::to_string(tls.port()) + " TLS: "))
      << unknown.err;
}

}  // namespace
}  // namespace gaia::testing
