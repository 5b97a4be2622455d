// POST /api/v1/exec against the real gaia_server, over raw sockets: a client that goes away
// cancels its command, and load on the (fake) /proc holds commands in the queue until it
// falls.

#include <gtest/gtest.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"
#include "support/streaming_call.h"

namespace gaia::testing {
namespace {

using namespace std::chrono_literals;

const std::string kAdminKey = "exec-api-admin-key-0123456789abcdef";

class ExecApiTest : public FakeProcServerTest {
 protected:
  ExecApiTest() : FakeProcServerTest(kAdminKey) {}
  void start(std::vector<std::string> extra_env = {}) {
    extra_env.insert(extra_env.begin(), "GAIA_PROC_ROOT=" + dir_.path().string());
    GaiaServerTest::start(extra_env);
  }
  boost::json::value executor() {
    auto r = http_request(port_, "GET", "/api/admin/health", kAdminKey, "");
    EXPECT_TRUE(r && r->status == 200);
    return boost::json::parse(r->body).at("executor");
  }
  // Polls the health details until pred(executor section) holds; false after `within`.
  template <class Pred>
  bool eventually(Pred pred, std::chrono::milliseconds within = 10s) {
    return testing::eventually([&] { return pred(executor()); }, within, 50ms);
  }
};

int64_t queued(const boost::json::value& e) {
  return e.at("queued").at("enterprise").as_int64() + e.at("queued").at("premium").as_int64() +
         e.at("queued").at("default").as_int64();
}

TEST_F(ExecApiTest, AClientThatGoesAwayCancelsItsCommandQueuedOrRunning) {
  start({"GAIA_EXEC_WORKERS=1"});
  StreamingCall running(port_, "/api/v1/exec", kAdminKey,
                        R"({"type":"shell","argv":["/bin/sleep","30"],"id":"long"})");
  ASSERT_TRUE(running.wait_for("\"started\"", 5s)) << running.received();
  StreamingCall waiting(port_, "/api/v1/exec", kAdminKey,
                        R"({"type":"shell","argv":["/bin/true"],"id":"short"})");
  ASSERT_TRUE(waiting.wait_for("\"queued\"", 5s)) << waiting.received();
  EXPECT_EQ(queued(executor()), 1);

  waiting.hang_up();
  EXPECT_TRUE(eventually([](const boost::json::value& e) { return queued(e) == 0; }))
      << "the queued command left the queue";
  running.hang_up();
  EXPECT_TRUE(eventually([](const boost::json::value& e) { return e.at("running") == 0; }))
      << "the running command was stopped";
  server_->signal(SIGTERM);
  EXPECT_EQ(server_->wait_exit(), 0) << server_->stderr_;
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM executions WHERE id = 'long' AND signal IS NOT NULL"),
            1)
      << "the stopped command is recorded with its signal";
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM executions WHERE id = 'short'"), 0)
      << "the cancelled one never ran";
}

TEST_F(ExecApiTest, AnOverloadedMachineHoldsCommandsUntilTheLoadFalls) {
  set_memory_used_pct(98);
  start();
  ASSERT_TRUE(eventually([](const boost::json::value& e) {
    return e.at("throttle_factor") == 0.0;
  })) << "98 % of memory in use: factor 0";
  StreamingCall call(port_, "/api/v1/exec", kAdminKey,
                     R"({"type":"shell","argv":["/bin/echo","ran"]})");
  ASSERT_TRUE(call.wait_for("\"queued\"", 5s)) << call.received();
  EXPECT_FALSE(call.wait_for("\"started\"", 1500ms)) << "held while the machine is overloaded";

  set_memory_used_pct(30);
  EXPECT_TRUE(call.wait_for("\"exited\"", 30s)) << call.received();
  EXPECT_NE(call.received().find("ran\\n"), std::string::npos);
  EXPECT_TRUE(
      eventually([](const boost::json::value& e) { return e.at("throttle_factor") == 1.0; }, 30s))
      << "the smoothed load falls back below 68 %";
}

TEST_F(ExecApiTest, AtFactorZeroRefusingServersAnswer503WithRetryAfter) {
  set_memory_used_pct(98);
  start({"GAIA_THROTTLE_STOP=refuse"});
  ASSERT_TRUE(
      eventually([](const boost::json::value& e) { return e.at("throttle_factor") == 0.0; }));
  StreamingCall call(port_, "/api/v1/exec", kAdminKey, R"({"type":"shell","argv":["/bin/true"]})");
  ASSERT_TRUE(call.wait_for("overloaded", 5s)) << call.received();
  EXPECT_NE(call.received().find("HTTP/1.1 503"), std::string::npos) << call.received();
  EXPECT_NE(call.received().find("Retry-After:"), std::string::npos) << call.received();
}

TEST_F(ExecApiTest, AKeyMarkedAsAnAgentsIsJudgedAsOneWhateverTheBodySays) {
  start();
  const std::string marked = create_user_key("ann", R"({"name":"ann"})", R"({"agent":true})");
  const std::string plain = create_user_key("bob", R"({"name":"bob"})");
  // No default pattern decides printf; an agent's command then needs approval.
  const std::string body = R"({"type":"shell","agent":false,"argv":["printf","--all"]})";
  auto asked = http_request(port_, "POST", "/api/v1/exec", marked, body);
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->status, 428) << asked->body;
  auto unasked = http_request(port_, "POST", "/api/v1/exec", plain, body);
  ASSERT_TRUE(unasked);
  EXPECT_NE(unasked->status, 428) << "a person's command is not asked about";

  // An admin marks bob's key later: from the next command on it is an agent's.
  auto bob = http_request(port_, "GET", "/api/admin/users/bob", kAdminKey);
  ASSERT_TRUE(bob && bob->status == 200);
  const boost::json::value key = boost::json::parse(bob->body).at("keys").at(0);
  EXPECT_EQ(key.at("agent"), false);
  const std::string id = std::to_string(key.at("id").to_number<uint64_t>());
  auto patched =
      http_request(port_, "PATCH", "/api/admin/keys/" + id, kAdminKey, R"({"agent":true})");
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->status, 200) << patched->body;
  auto now_asked = http_request(port_, "POST", "/api/v1/exec", plain, body);
  ASSERT_TRUE(now_asked);
  EXPECT_EQ(now_asked->status, 428) << now_asked->body;
}

TEST_F(ExecApiTest, BadRequestsAreAnswered400WithTheField) {
  start();
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"type":"shell"})", "argv"},
           {R"({"type":"shell","argv":[]})", "argv"},
           {R"({"type":"shell","argv":["ls",1]})", "argv"},
           {R"({"type":"nope","argv":["ls"]})", "type"},
           {R"({"type":"shell","argv":["ls"],"env":{"1BAD":"x"}})", "env"},
           {R"({"type":"shell","argv":["ls"],"limits":{"memory_bytes":-1}})",
            "limits.memory_bytes"},
           {R"({"type":"shell","argv":["ls"],"limits":{"cpu_seconds":9223372036854775807}})",
            "limits.cpu_seconds"},
           {R"({"type":"shell","argv":["ls"],"limits":{"cpu_millicores":92233720368547758}})",
            "limits.cpu_millicores"},
           {R"({"type":"shell","argv":["ls"],"limits":{"memory_bytes":9223372036854775807}})",
            "limits.memory_bytes"},
           {R"({"type":"shell","argv":["ls"],"timeout_s":0})", "timeout_s"}}) {
    StreamingCall call(port_, "/api/v1/exec", kAdminKey, body);
    EXPECT_TRUE(call.wait_for("\"field\":\"" + field + "\"", 5s)) << body << call.received();
    EXPECT_EQ(call.received().rfind("HTTP/1.1 400", 0), 0u) << call.received();
  }
}

// The integer after "key": in `text`, or -1.
int64_t number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find("\"" + key + "\":");
  return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + key.size() + 3);
}

// VmHWM of process `pid` in bytes: the largest resident set it has had.
int64_t resident_peak_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  return -1;
}

TEST_F(ExecApiTest, ARootServerRunsCommandsAsTheExecAccountWithNoNewPrivileges) {
  if (geteuid() != 0) GTEST_SKIP() << "a server that is not root runs commands as itself";
  const passwd* account = getpwnam("gaia-exec");
  ASSERT_NE(account, nullptr) << "scripts/setup.sh creates the account gaia-exec";
  const uid_t uid = account->pw_uid;
  start();
  StreamingCall call(port_, "/api/v1/exec", kAdminKey, R"({"type":"shell","argv":["/bin/sh","-c",
      "id -u; grep NoNewPrivs /proc/self/status"]})");
  ASSERT_TRUE(call.wait_for("\"exited\"", 10s)) << call.received();
  EXPECT_NE(call.received().find("\"data\":\"" + std::to_string(uid) + "\\n"), std::string::npos)
      << call.received();
  EXPECT_NE(call.received().find("NoNewPrivs:\\t1"), std::string::npos) << call.received();
  const boost::json::value run_as = executor().at("run_as");
  EXPECT_EQ(run_as.at("user"), "gaia-exec");
  EXPECT_EQ(run_as.at("uid"), uid);
  EXPECT_EQ(run_as.at("root"), false);
  EXPECT_EQ(run_as.at("switching"), true);
}

TEST_F(ExecApiTest, CommandsRunAsRootOnlyWhenConfiguredSoAndHealthSaysSo) {
  if (geteuid() != 0) GTEST_SKIP() << "a server that is not root runs commands as itself";
  start({"GAIA_EXEC_USER=root"});
  const boost::json::value run_as = executor().at("run_as");
  EXPECT_EQ(run_as.at("root"), true);
  EXPECT_EQ(run_as.at("user"), "root");
  EXPECT_NE(std::string(run_as.at("note").as_string()).find("root"), std::string::npos);
  StreamingCall call(port_, "/api/v1/exec", kAdminKey,
                     R"({"type":"shell","argv":["/usr/bin/id","-u"]})");
  ASSERT_TRUE(call.wait_for("\"exited\"", 10s)) << call.received();
  EXPECT_NE(call.received().find("\"data\":\"0\\n"), std::string::npos) << call.received();
}

TEST_F(ExecApiTest, ARootServerWithoutItsExecAccountRefusesToStartAndSaysWhy) {
  if (geteuid() != 0) GTEST_SKIP() << "a server that is not root runs commands as itself";
  ServerProcess server({}, {"DATABASE_URL=sqlite:" + db_path(), "GAIA_ADMIN_KEY=" + admin_key_,
                            "PORT=0", "GAIA_EXEC_USER=gaia-no-such-account"});
  EXPECT_NE(server.wait_exit(), 0);
  EXPECT_NE(server.stderr_.find("gaia-no-such-account"), std::string::npos) << server.stderr_;
}

TEST_F(ExecApiTest, EchosPeakMemoryIsItsOwnNotTheServers) {
  for (const std::string cgroups : {"off", "auto"}) {
    start({"GAIA_EXEC_CGROUPS=" + cgroups});
    StreamingCall call(
        port_, "/api/v1/exec", kAdminKey,
        R"({"type":"shell","argv":["/bin/echo","hi"],"id":"echo-)" + cgroups + "\"}");
    ASSERT_TRUE(call.wait_for("\"exited\"", 10s)) << call.received();
    const int64_t peak = number_after(call.received(), "peak_memory_bytes");
    const int64_t server_peak = resident_peak_bytes(server_->pid());
    // Which way the figure came: the command's cgroup, or the supervisor's rusage of it.
    const std::string used(executor().at("cgroups").as_string());
    RecordProperty("cgroups_" + cgroups, used);
    if (cgroups == "off") {
      EXPECT_TRUE(used.starts_with("none")) << used;
    }
    EXPECT_GT(peak, 0) << cgroups << call.received();
    EXPECT_LT(peak, 64LL << 20) << cgroups << " (" << used << ")";
    EXPECT_LT(peak, server_peak / 2) << cgroups << ": the server's own is " << server_peak;
    stop();
    EXPECT_EQ(
        count_rows("SELECT peak_memory_bytes FROM executions WHERE id = 'echo-" + cgroups + "'"),
        peak);
  }
}

TEST_F(ExecApiTest, ADaemonACommandStartedIsGoneWhenTheCommandEnds) {
  for (const std::string cgroups : {"off", "auto"}) {
    start({"GAIA_EXEC_CGROUPS=" + cgroups});
    StreamingCall call(port_, "/api/v1/exec", kAdminKey, R"({"type":"shell","argv":["/bin/sh","-c",
        "setsid sleep 777 & echo daemon $!"]})");
    ASSERT_TRUE(call.wait_for("daemon ", 10s)) << call.received();
    const size_t at = call.received().find("daemon ");
    const int pidfd =
        static_cast<int>(syscall(SYS_pidfd_open, std::atoi(call.received().c_str() + at + 7), 0));
    ASSERT_TRUE(call.wait_for("\"exited\"", 10s)) << call.received();
    if (pidfd >= 0) {  // else it was gone already
      pollfd p{pidfd, POLLIN, 0};
      EXPECT_EQ(poll(&p, 1, 10'000), 1) << cgroups << ": the daemon outlived its command";
      close(pidfd);
    }
    stop();
  }
}

}  // namespace
}  // namespace gaia::testing
