// The confirmation policy through the real gaia_server and the real gaia hook: requests,
// pattern management without a restart, the decision log, the executor's agent commands,
// reputation, and the agent hook with Gaia up and down.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>

#include "support/cli_run.h"
#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/loopback_port.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "confirm-integration-admin-key-0123456789";

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

// gaia with exactly `args` and `env`, and `input` on its stdin.
CliRun run_gaia(const std::vector<std::string>& args, const std::vector<std::string>& env,
                const std::string& input) {
  return run_program(GAIA_CLI_PATH, args, env, input);
}

std::string bash_payload(const std::string& command) {
  return boost::json::serialize(
      boost::json::object{{"session_id", "sess-7"},
                          {"cwd", "/work"},
                          {"hook_event_name", "PreToolUse"},
                          {"tool_name", "Bash"},
                          {"tool_input", {{"command", command}, {"description", "test"}}}});
}

// POST /api/v1/exec, read to the end: its status and everything after the head (a streamed
// answer keeps its chunk framing; the tests look for text in it).
struct ExecExchange {
  int status = 0;
  std::string text;
  // The JSON object of a plain (refusal) answer.
  boost::json::value json() const {
    return boost::json::parse(text.substr(text.find('{'), text.rfind('}') - text.find('{') + 1));
  }
};
ExecExchange post_exec(uint16_t port, const std::string& key, const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ExecExchange out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request =
        "POST /api/v1/exec HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
        "Authorization: Bearer " +
        key + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    EXPECT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    std::string all;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) all.append(buf, static_cast<size_t>(n));
    if (all.size() > 12) out.status = std::stoi(all.substr(9, 3));
    const size_t head = all.find("\r\n\r\n");
    if (head != std::string::npos) out.text = all.substr(head + 4);
  }
  ::close(fd);
  return out;
}

class ConfirmTest : public GaiaServerTest {
 protected:
  ConfirmTest() : GaiaServerTest(kAdminKey) {}
  // The server's PATH is fixed, so the program it resolves is known: printf is /usr/bin/printf.
  void start(std::vector<std::string> more_env = {}) {
    more_env.insert(more_env.begin(), {"GAIA_EXEC_WORKERS=1", "PATH=/usr/bin:/bin",
                                       "GAIA_PROC_ROOT=" + idle_proc_root()});
    GaiaServerTest::start(more_env);
  }
  std::optional<RawResponse> call(std::string_view method, std::string_view path,
                                  std::string_view key, std::string_view body = {}) {
    return http_request(port_, method, path, key, body);
  }
  std::string user_with_key(const std::string& name) {
    return create_user_key(name, R"({"name":")" + name + R"("})");
  }
  boost::json::value confirm(const std::string& key, const std::string& command) {
    auto r = call("POST", "/api/claude/confirm/request", key,
                  boost::json::serialize(boost::json::object{{"command", command}}));
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r ? json_of(*r) : boost::json::value();
  }
  // `gaia exec --agent` of `argv` as the owner of `key`.
  CliRun agent_exec(const std::string& key, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"exec", "--agent", "--type", "shell", "--"});
    return run_gaia(argv, {"GAIA_URL=http://127.0.0.1:" + std::to_string(port_), "GAIA_KEY=" + key},
                    "");
  }
  // The id of the first approval waiting, once there is one (0: none within 5 s).
  uint64_t first_waiting_approval() {
    uint64_t id = 0;
    eventually(
        [&] {
          auto list = call("GET", "/api/admin/approvals", kAdminKey);
          if (!list || list->status != 200) return false;
          const boost::json::array waiting = json_of(*list).at("approvals").as_array();
          if (!waiting.empty()) id = waiting[0].at("id").to_number<uint64_t>();
          return id != 0;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(50));
    return id;
  }

  CliRun hook(const std::string& key, const std::string& payload,
              std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"hook", "pre-tool-use"});
    return run_gaia(args, {"GAIA_URL=http://127.0.0.1:" + std::to_string(port_), "GAIA_KEY=" + key},
                    payload);
  }
};

TEST_F(ConfirmTest, DefaultPatternsDecideAndEveryDecisionIsLogged) {
  start();
  std::string key = user_with_key("ann");
  boost::json::value denied = confirm(key, "cd /tmp && rm -rf /");
  EXPECT_EQ(denied.at("decision"), "deny");
  EXPECT_EQ(denied.at("source"), "pattern");
  EXPECT_TRUE(denied.as_object().contains("pattern_id"));
  EXPECT_EQ(confirm(key, "git status").at("decision"), "approve");
  boost::json::value unknown = confirm(key, "frobnicate --all");
  EXPECT_EQ(unknown.at("decision"), "ask");
  EXPECT_EQ(unknown.at("source"), "default");

  auto missing = call("POST", "/api/claude/confirm/request", key, R"({"cwd":"/"})");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(json_of(*missing).at("field"), "command");

  EXPECT_EQ(call("GET", "/api/claude/confirm/decisions", key)->status, 403);
  // The log is group-committed in order: once the last decision (the ask) is durable, so are
  // the two before it.
  eventually(
      [&] {
        auto last = call("GET", "/api/claude/confirm/decisions?user=ann&decision=ask", kAdminKey);
        return !json_of(*last).at("decisions").as_array().empty();
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100));
  auto log = call("GET", "/api/claude/confirm/decisions?user=ann&decision=deny", kAdminKey);
  ASSERT_EQ(log->status, 200) << log->body;
  auto rows = json_of(*log).at("decisions").as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("command"), "cd /tmp && rm -rf /");
  auto page = call("GET", "/api/claude/confirm/decisions?limit=2", kAdminKey);
  EXPECT_EQ(json_of(*page).at("decisions").as_array().size(), 2u);
  EXPECT_TRUE(json_of(*page).at("next_before_id").is_int64());
}

TEST_F(ConfirmTest, AdminsChangePatternsWithoutARestartAndEachChangeIsAudited) {
  start();
  std::string key = user_with_key("ann");
  const std::string pattern =
      R"({"id":"approve-frob","name":"frob","match":"prefix","pattern":"frobnicate",)"
      R"("decision":"approve","priority":50})";
  EXPECT_EQ(call("POST", "/api/claude/confirm/patterns", key, pattern)->status, 403);
  auto bad = call("POST", "/api/claude/confirm/patterns", kAdminKey,
                  R"({"id":"bad","name":"x","match":"regex","pattern":"(ab","decision":"deny"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json_of(*bad).at("field"), "pattern");
  EXPECT_NE(bad->body.find("offset"), std::string::npos) << bad->body;

  EXPECT_EQ(call("POST", "/api/claude/confirm/patterns", kAdminKey, pattern)->status, 201);
  EXPECT_EQ(call("POST", "/api/claude/confirm/patterns", kAdminKey, pattern)->status, 409);
  EXPECT_EQ(confirm(key, "frobnicate --all").at("decision"), "approve");

  std::string deny = pattern;
  deny.replace(deny.find("\"approve\","), 10, "\"deny\",");
  EXPECT_EQ(call("PUT", "/api/claude/confirm/patterns/approve-frob", kAdminKey, deny)->status, 200);
  EXPECT_EQ(confirm(key, "frobnicate --all").at("decision"), "deny");
  auto listed = call("GET", "/api/claude/confirm/patterns", kAdminKey);
  EXPECT_NE(listed->body.find("approve-frob"), std::string::npos);
  EXPECT_EQ(call("DELETE", "/api/claude/confirm/patterns/approve-frob", kAdminKey)->status, 200);
  EXPECT_EQ(call("DELETE", "/api/claude/confirm/patterns/approve-frob", kAdminKey)->status, 404);
  EXPECT_EQ(confirm(key, "frobnicate --all").at("decision"), "ask");
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'confirm.pattern.%' "
                       "AND target = 'approve-frob'"),
            3);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'confirm.pattern.replace' "
                       "AND before LIKE '%approve%' AND after LIKE '%deny%'"),
            1);

  // Kept across a restart, and the defaults are not seeded again.
  EXPECT_EQ(call("POST", "/api/claude/confirm/patterns", kAdminKey, pattern)->status, 201);
  stop();
  start();
  EXPECT_EQ(confirm(key, "frobnicate --all").at("decision"), "approve");
}

TEST_F(ConfirmTest, AnAgentsCommandIsDeniedOrHeldForApprovalByTheExecutor) {
  start();
  std::string key = user_with_key("ann");
  auto denied =
      call("POST", "/api/v1/exec", key, R"({"type":"shell","agent":true,"argv":["rm","-rf","/"]})");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403) << denied->body;
  auto asked = call("POST", "/api/v1/exec", key,
                    R"({"type":"shell","agent":true,"argv":["printf","--all"]})");
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->status, 428) << asked->body;
  // Both answers are in the decision log, as the executor's.
  auto log = call("GET", "/api/claude/confirm/decisions?user=ann", kAdminKey);
  eventually(
      [&] {
        log = call("GET", "/api/claude/confirm/decisions?user=ann", kAdminKey);
        return json_of(*log).at("decisions").as_array().size() >= 2;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100));
  auto rows = json_of(*log).at("decisions").as_array();
  ASSERT_EQ(rows.size(), 2u) << log->body;
  EXPECT_EQ(rows[0].at("decision"), "ask");
  EXPECT_EQ(rows[0].at("command"), "/usr/bin/printf --all");
  EXPECT_EQ(rows[0].at("tool"), "exec");
  EXPECT_EQ(rows[1].at("decision"), "deny");
}

TEST_F(ConfirmTest, AnAgentsEnvThatChangesWhatRunsIsAskedAboutNamingTheResolvedProgram) {
  start();
  std::string key = user_with_key("ann");
  auto exec = [&](const std::string& env) {
    return post_exec(port_, key,
                     R"({"type":"shell","agent":true,"argv":["ls","/"],"env":)" + env + "}");
  };
  // Each class of variable that changes which code runs.
  for (const char* name : {"PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "PYTHONPATH",
                           "NODE_OPTIONS", "GIT_SSH_COMMAND", "PAGER", "HOME", "CC"}) {
    auto r = exec(std::string(R"({")") + name + R"(":"/tmp/x"})");
    ASSERT_EQ(r.status, 428) << name << ": " << r.text;
    const boost::json::value body = r.json();
    EXPECT_EQ(body.at("program"), "/usr/bin/ls") << r.text;
    EXPECT_EQ(body.at("command").as_string(), std::string(name) + "=/tmp/x /usr/bin/ls /")
        << r.text;
    EXPECT_NE(body.at("message").as_string().find(name), boost::json::string::npos) << r.text;
  }
  // A value that needs quoting is still judged as an assignment.
  auto quoted = exec(R"({"LD_PRELOAD":"/tmp/x y.so"})");
  ASSERT_EQ(quoted.status, 428) << quoted.text;
  EXPECT_EQ(quoted.json().at("command").as_string(), "LD_PRELOAD='/tmp/x y.so' /usr/bin/ls /");
  // The same command without them, or with a harmless variable, is approved and runs.
  EXPECT_EQ(exec("{}").status, 200);
  EXPECT_EQ(exec(R"({"GAIA_COLOUR":"blue"})").status, 200);
  // Setting PATH to what the command inherits anyway changes nothing.
  EXPECT_EQ(exec(R"({"PATH":"/usr/bin:/bin"})").status, 200);
  // The decision log shows what was judged: env changes and the resolved program.
  eventually(
      [&] {
        auto log = call("GET", "/api/claude/confirm/decisions?user=ann&decision=ask", kAdminKey);
        return json_of(*log).at("decisions").as_array().size() >= 11;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100));
  auto log = call("GET", "/api/claude/confirm/decisions?user=ann&decision=ask", kAdminKey);
  const boost::json::array rows = json_of(*log).at("decisions").as_array();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().at("command"), "PATH=/tmp/x /usr/bin/ls /");
  EXPECT_EQ(rows.back().at("source"), "environment");
}

TEST_F(ConfirmTest, TheProgramTheServerResolvedRunsNeverOneOnTheRequestsPath) {
  start({"GAIA_CONFIRM_APPROVAL_WAIT_S=60"});
  std::string key = user_with_key("ann");
  // A planted `ls` that would leave a mark if it ever ran.
  const std::filesystem::path planted = dir_.path() / "planted";
  std::filesystem::create_directories(planted);
  const std::filesystem::path mark = dir_.path() / "planted-ran";
  std::ofstream(planted / "ls") << "#!/bin/sh\ntouch " << mark.string() << "\necho planted\n";
  std::filesystem::permissions(planted / "ls", std::filesystem::perms::owner_all);
  const std::string body =
      R"({"type":"shell","argv":["ls","/"],"env":{"PATH":")" + planted.string() + R"("}})";
  // A person's command: runs at once, and it is /usr/bin/ls that runs.
  ExecExchange ran = post_exec(port_, key, body);
  ASSERT_EQ(ran.status, 200) << ran.text;
  EXPECT_NE(ran.text.find("\"event\":\"exited\""), std::string::npos) << ran.text;
  EXPECT_NE(ran.text.find("usr"), std::string::npos) << ran.text;
  EXPECT_EQ(ran.text.find("planted"), std::string::npos) << ran.text;
  // An agent's: held for a person, who is shown /usr/bin/ls and PATH, and approves it.
  std::string agent_body = body;
  agent_body.insert(1, R"("agent":true,)");
  auto approved = std::async(std::launch::async, [&] { return post_exec(port_, key, agent_body); });
  const uint64_t id = first_waiting_approval();
  ASSERT_NE(id, 0u);
  auto listed = call("GET", "/api/admin/approvals", kAdminKey);
  const boost::json::value waiting = json_of(*listed).at("approvals").as_array()[0];
  EXPECT_EQ(waiting.at("program"), "/usr/bin/ls");
  EXPECT_EQ(waiting.at("command").as_string(), "PATH=" + planted.string() + " /usr/bin/ls /");
  ASSERT_EQ(call("POST", "/api/admin/approvals/" + std::to_string(id), kAdminKey,
                 R"({"decision":"approve"})")
                ->status,
            200);
  ExecExchange after = approved.get();
  ASSERT_EQ(after.status, 200) << after.text;
  EXPECT_NE(after.text.find("\"event\":\"exited\""), std::string::npos) << after.text;
  EXPECT_EQ(after.text.find("planted"), std::string::npos) << after.text;
  EXPECT_FALSE(std::filesystem::exists(mark));
}

TEST_F(ConfirmTest, ReputationFallsWithDenialsIsShownResetAndKept) {
  start();
  std::string key = user_with_key("ann");
  auto quota = call("GET", "/api/v1/quota", key);
  ASSERT_TRUE(quota && quota->status == 200);
  const double baseline = json_of(*quota).at("reputation").at("score").to_number<double>();
  confirm(key, "rm -rf /");
  quota = call("GET", "/api/v1/quota", key);
  const boost::json::value rep = json_of(*quota).at("reputation");
  EXPECT_LT(rep.at("score").to_number<double>(), baseline);
  ASSERT_EQ(rep.at("events").as_array().size(), 1u);
  EXPECT_EQ(rep.at("events").as_array()[0].at("event"), "denied");
  EXPECT_TRUE(quota->body.find("\"quotas\"") != std::string::npos);

  stop();  // saved on shutdown
  start();
  quota = call("GET", "/api/v1/quota", key);
  EXPECT_LT(json_of(*quota).at("reputation").at("score").to_number<double>(), baseline);

  EXPECT_EQ(call("POST", "/api/admin/users/ann/reputation/reset", key)->status, 403);
  auto reset = call("POST", "/api/admin/users/ann/reputation/reset", kAdminKey);
  ASSERT_TRUE(reset && reset->status == 200) << (reset ? reset->body : "");
  quota = call("GET", "/api/v1/quota", key);
  EXPECT_DOUBLE_EQ(json_of(*quota).at("reputation").at("score").to_number<double>(), baseline);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'user.reputation.reset'"), 1);
}

// The daily limit of the first quota of `type` in a GET /api/v1/quota answer.
uint64_t daily_limit(const boost::json::value& quota, const char* type) {
  for (const boost::json::value& line : quota.at("quotas").as_array()) {
    if (line.at("type") == type && line.at("kind") == "calendar" && line.at("period") == "day") {
      return line.at("limit").to_number<uint64_t>();
    }
  }
  return 0;
}

TEST_F(ConfirmTest, ReputationScalesTheUsersLimitsAndAResetRestoresThem) {
  start();
  std::string key = user_with_key("ann");
  auto quota = call("GET", "/api/v1/quota", key);
  ASSERT_TRUE(quota && quota->status == 200);
  const uint64_t full = daily_limit(json_of(*quota), "shell");
  ASSERT_GT(full, 0u) << quota->body;
  // At the baseline the factor is exactly 1: the rules' own numbers.
  EXPECT_DOUBLE_EQ(json_of(*quota).at("reputation").at("factor").to_number<double>(), 1.0);

  for (int i = 0; i < 4; ++i) confirm(key, "rm -rf /");  // 70 - 4 * 5 = 50
  quota = call("GET", "/api/v1/quota", key);
  const double factor = json_of(*quota).at("reputation").at("factor").to_number<double>();
  EXPECT_NEAR(factor, 0.5 + 0.5 * 50 / 70, 0.001);
  // The factor reaches the limits within the second that the server takes to hand it over.
  uint64_t scaled = full;
  eventually(
      [&] {
        scaled = daily_limit(json_of(*call("GET", "/api/v1/quota", key)), "shell");
        return scaled != full;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100));
  EXPECT_NEAR(static_cast<double>(scaled), static_cast<double>(full) * factor, 1.0);

  ASSERT_EQ(call("POST", "/api/admin/users/ann/reputation/reset", kAdminKey)->status, 200);
  eventually(
      [&] {
        scaled = daily_limit(json_of(*call("GET", "/api/v1/quota", key)), "shell");
        return scaled == full;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(100));
  EXPECT_EQ(scaled, full);
}

TEST_F(ConfirmTest, AnAgentsCommandWaitsForAnAdminWhoApprovesOrDeniesIt) {
  start({"GAIA_CONFIRM_APPROVAL_WAIT_S=60"});
  std::string key = user_with_key("ann");
  // Approved: the command runs and its output reaches the agent.
  auto approved = std::async(std::launch::async, [&] {
    return agent_exec(key, {"printf", "ran-after-approval"});
  });
  const uint64_t id = first_waiting_approval();
  ASSERT_NE(id, 0u);
  auto listed = call("GET", "/api/admin/approvals", kAdminKey);
  const boost::json::value waiting = json_of(*listed).at("approvals").as_array()[0];
  EXPECT_EQ(waiting.at("user"), "ann");
  EXPECT_EQ(waiting.at("command"), "/usr/bin/printf ran-after-approval");
  EXPECT_EQ(waiting.at("program"), "/usr/bin/printf");
  EXPECT_EQ(call("GET", "/api/admin/approvals", key)->status, 403);
  EXPECT_EQ(
      call("POST", "/api/admin/approvals/" + std::to_string(id), key, R"({"decision":"approve"})")
          ->status,
      403);
  auto bad = call("POST", "/api/admin/approvals/" + std::to_string(id), kAdminKey,
                  R"({"decision":"maybe"})");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json_of(*bad).at("field"), "decision");
  EXPECT_EQ(call("POST", "/api/admin/approvals/x1", kAdminKey, R"({"decision":"approve"})")->status,
            400);
  auto yes = call("POST", "/api/admin/approvals/" + std::to_string(id), kAdminKey,
                  R"({"decision":"approve","note":"fine"})");
  ASSERT_EQ(yes->status, 200) << yes->body;
  EXPECT_EQ(json_of(*yes).at("state"), "approved");
  CliRun ran = approved.get();
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out, "ran-after-approval");
  EXPECT_NE(ran.err.find("waiting for an admin's approval"), std::string::npos) << ran.err;
  // Settled once: a second answer finds nothing waiting.
  EXPECT_EQ(call("POST", "/api/admin/approvals/" + std::to_string(id), kAdminKey,
                 R"({"decision":"deny"})")
                ->status,
            404);

  // Denied: the agent is refused with the admin's note, and nothing ran.
  auto denied = std::async(std::launch::async, [&] {
    return agent_exec(key, {"printf", "must-not-run"});
  });
  const uint64_t second = first_waiting_approval();
  ASSERT_NE(second, 0u);
  ASSERT_EQ(call("POST", "/api/admin/approvals/" + std::to_string(second), kAdminKey,
                 R"({"decision":"deny","note":"not today"})")
                ->status,
            200);
  CliRun refused = denied.get();
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.out, "");
  EXPECT_NE(refused.err.find("not today"), std::string::npos) << refused.err;
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'approval.%'"), 2);
}

TEST_F(ConfirmTest, AnApprovalNoAdminAnswersRunsOutAndTheAgentIsRefused) {
  start({"GAIA_CONFIRM_APPROVAL_WAIT_S=1"});
  std::string key = user_with_key("ann");
  CliRun r = agent_exec(key, {"printf", "never"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no admin answered within 1 s"), std::string::npos) << r.err;
  auto list = call("GET", "/api/admin/approvals", kAdminKey);
  EXPECT_TRUE(json_of(*list).at("approvals").as_array().empty());
}

TEST_F(ConfirmTest, OneUserCannotFillTheApprovalDeskAndAWaitingApprovalCountsAgainstTheLimits) {
  start({"GAIA_CONFIRM_APPROVAL_WAIT_S=60", "GAIA_CONFIRM_APPROVAL_MAX_PER_USER=2"});
  const std::string ann = user_with_key("ann");
  const std::string bob = create_user_key(
      "bob", R"({"name":"bob"})",
      R"({"limits":[{"kind":"rate","amount":1,"window_ms":3600000,"type":"shell"}]})");
  const std::string agent_body = R"({"type":"shell","agent":true,"argv":["printf","x"]})";
  auto waiting_count = [&] {
    auto list = call("GET", "/api/admin/approvals", kAdminKey);
    return list && list->status == 200 ? json_of(*list).at("approvals").as_array().size() : 0u;
  };
  auto wait_for = [&](size_t n) {
    eventually([&] { return waiting_count() == n; }, std::chrono::seconds(5),
               std::chrono::milliseconds(50));
    return waiting_count();
  };
  std::vector<std::future<ExecExchange>> held;
  for (size_t i = 1; i <= 2; ++i) {
    held.push_back(
        std::async(std::launch::async, [&] { return post_exec(port_, ann, agent_body); }));
    ASSERT_EQ(wait_for(i), i);
  }
  // Ann has her share waiting: a third is refused at once, naming the cap.
  ExecExchange third = post_exec(port_, ann, agent_body);
  ASSERT_EQ(third.status, 429) << third.text;
  EXPECT_EQ(third.json().at("error"), "approvals_per_user") << third.text;
  EXPECT_NE(third.text.find("GAIA_CONFIRM_APPROVAL_MAX_PER_USER"), std::string::npos) << third.text;
  EXPECT_EQ(waiting_count(), 2u);
  // Bob still finds room; his waiting command took his one shell command of the hour.
  held.push_back(std::async(std::launch::async, [&] { return post_exec(port_, bob, agent_body); }));
  ASSERT_EQ(wait_for(3), 3u);
  ExecExchange over = post_exec(port_, bob, agent_body);
  ASSERT_EQ(over.status, 429) << over.text;
  EXPECT_EQ(over.json().at("error"), "limit_exceeded") << over.text;
  EXPECT_EQ(waiting_count(), 3u);
  EXPECT_EQ(call("POST", "/api/v1/check", bob, R"({"type":"shell"})")->status, 429);

  // Approved, bob's command runs without being counted a second time.
  auto list = json_of(*call("GET", "/api/admin/approvals", kAdminKey)).at("approvals").as_array();
  for (const boost::json::value& a : list) {
    const bool bobs = a.at("user") == "bob";
    ASSERT_EQ(
        call("POST", "/api/admin/approvals/" + std::to_string(a.at("id").to_number<uint64_t>()),
             kAdminKey, bobs ? R"({"decision":"approve"})" : R"({"decision":"deny"})")
            ->status,
        200);
  }
  EXPECT_EQ(held[0].get().text.find("\"event\":\"exited\""), std::string::npos);
  EXPECT_EQ(held[1].get().text.find("\"event\":\"exited\""), std::string::npos);
  const ExecExchange approved = held[2].get();
  EXPECT_NE(approved.text.find("\"event\":\"exited\""), std::string::npos) << approved.text;
}

TEST_F(ConfirmTest, WithoutApprovalsAnAskIsAnswered428AtOnce) {
  start();
  std::string key = user_with_key("ann");
  CliRun r = agent_exec(key, {"printf", "never"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("needs a person's approval"), std::string::npos) << r.err;
  auto list = call("GET", "/api/admin/approvals", kAdminKey);
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(json_of(*list).at("wait_s"), 0);
}

TEST_F(ConfirmTest, TheHookAllowsAndDeniesWithGaiaUp) {
  start();
  std::string key = user_with_key("ann");
  CliRun allowed = hook(key, bash_payload("git status"));
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  boost::json::value out = boost::json::parse(allowed.out);
  EXPECT_EQ(out.at("hookSpecificOutput").at("permissionDecision"), "allow");
  EXPECT_EQ(out.at("hookSpecificOutput").at("hookEventName"), "PreToolUse");

  CliRun denied = hook(key, bash_payload("rm -rf /"));
  ASSERT_EQ(denied.exit_code, 0) << denied.err;
  EXPECT_EQ(boost::json::parse(denied.out).at("hookSpecificOutput").at("permissionDecision"),
            "deny");

  CliRun blocked = hook(key, bash_payload("rm -rf /"), {"--exit-code-only"});
  EXPECT_EQ(blocked.exit_code, 2);
  EXPECT_EQ(blocked.out, "");
  EXPECT_NE(blocked.err.find("blocked"), std::string::npos) << blocked.err;
  EXPECT_EQ(hook(key, bash_payload("git status"), {"--exit-code-only"}).exit_code, 0);

  CliRun other = hook(key, R"({"tool_name":"Read","tool_input":{"file_path":"/etc/passwd"}})");
  EXPECT_EQ(other.exit_code, 0);
  EXPECT_EQ(other.out, "");
}

TEST_F(ConfirmTest, TheHookAnswersItsFallbackWhenGaiaIsDown) {
  port_ = refused_port();
  CliRun r = hook("some-key", bash_payload("git status"), {"--timeout-ms", "1000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(boost::json::parse(r.out).at("hookSpecificOutput").at("permissionDecision"), "ask");
}

}  // namespace
}  // namespace gaia::testing
