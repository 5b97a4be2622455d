// `gaia exec` and `gaia run`: the real gaia binary against the real gaia_server, which runs
// the commands. The server reads a fake, unchanging /proc (--proc-root), so the machine's own
// load (a build next door) never makes it hold commands back.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "exec-integration-admin-key-0123456789abcdef";
constexpr int kWaitMs = 30'000;  // bound on every wait for gaia's output or exit

// gaia as a child process with stdout and stderr on pipes, so a test can read its output as it
// comes and signal it halfway.
class Gaia {
 public:
  Gaia(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(GAIA_CLI_PATH)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    if (posix_spawn(&pid_, GAIA_CLI_PATH, &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    fds_[0] = out[0];
    fds_[1] = err[0];
  }
  ~Gaia() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }

  // Reads until stdout (or stderr) contains `text`; false at end of output or after the bound.
  bool wait_for_stdout(const std::string& text) { return wait_for(out, text); }
  bool wait_for_stderr(const std::string& text) { return wait_for(err, text); }
  void signal(int sig) { ::kill(pid_, sig); }

  // Reads both pipes to their end, then reaps gaia: its exit code, or -1 if it did not exit
  // normally within the bound (it is then killed).
  int wait_exit() {
    while (read_some()) {
    }
    if (fds_[0] >= 0 || fds_[1] >= 0) ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    const bool ended = fds_[0] < 0 && fds_[1] < 0;
    pid_ = -1;
    return ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string describe() const { return "stdout: " + out + "\nstderr: " + err; }

  std::string out, err;

 private:
  bool wait_for(const std::string& stream, const std::string& text) {
    while (stream.find(text) == std::string::npos) {
      if (!read_some()) return false;
    }
    return true;
  }

  // One read from whichever pipe is ready; false once both ended or nothing came in time.
  bool read_some() {
    pollfd p[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
    if (fds_[0] < 0 && fds_[1] < 0) return false;
    if (::poll(p, 2, kWaitMs) <= 0) return false;
    std::string* into[2] = {&out, &err};
    for (int i = 0; i < 2; ++i) {
      if (fds_[i] < 0 || p[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = ::read(fds_[i], buf, sizeof buf);
      if (n > 0) {
        into[i]->append(buf, static_cast<size_t>(n));
      } else {
        ::close(fds_[i]);
        fds_[i] = -1;
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  int fds_[2] = {-1, -1};
};

struct Ran {
  int code = -1;
  std::string out, err;
};

std::string lines_of(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ExecTest : public GaiaServerTest {
 protected:
  ExecTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override {
    // A /proc that never changes: no CPU time passes, so the load throttle sees an idle machine.
    std::filesystem::create_directories(dir_.path() / "root" / "proc");
    std::ifstream stat("/proc/stat");
    std::ofstream fake_stat(dir_.path() / "root" / "proc" / "stat");
    std::string line;
    while (std::getline(stat, line) && line.starts_with("cpu")) fake_stat << line << '\n';
    fake_stat.close();
    std::filesystem::copy_file("/proc/meminfo", dir_.path() / "root" / "proc" / "meminfo");

    start({}, {"--proc-root", (dir_.path() / "root").string()});
  }

  // Stops the server and starts it again with `extra_env`, on the same fake /proc.
  void restart(const std::vector<std::string>& extra_env) {
    stop();
    start(extra_env, {"--proc-root", (dir_.path() / "root").string()});
  }

  std::vector<std::string> env(const std::string& key) const {
    return {"GAIA_URL=http://127.0.0.1:" + std::to_string(port_), "GAIA_KEY=" + key,
            "PATH=/usr/bin:/bin"};
  }
  Ran gaia(const std::vector<std::string>& args, const std::string& key = kAdminKey) {
    Gaia g(args, env(key));
    Ran r;
    r.code = g.wait_exit();
    r.out = std::move(g.out);
    r.err = std::move(g.err);
    return r;
  }
  static std::string describe(const Ran& r) {
    return "exit " + std::to_string(r.code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
  }

  // A user with a key whose own limits are `limits` (docs/api.md, keys).
  std::string user_with_limits(const std::string& name, const std::string& limits) {
    return create_user_key(name, R"({"name":")" + name + R"("})", R"({"limits":)" + limits + "}");
  }

  // The signal (0 for none) of the recorded execution with this id, polled until the row is
  // committed; nullopt if it never is.
  std::optional<int64_t> recorded_signal(const std::string& id) {
    return recorded_signal_where("id = ?", id);
  }
  std::optional<int64_t> recorded_signal_where(const std::string& condition,
                                               const std::string& value) {
    std::optional<int64_t> found;
    testing::eventually(
        [&] {
          sqlite3* db = nullptr;
          if (sqlite3_open_v2(dir_.file("gaia.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
              SQLITE_OK) {
            sqlite3_busy_timeout(db, 1000);
            sqlite3_stmt* stmt = nullptr;
            const std::string sql = "SELECT coalesce(signal, 0) FROM executions WHERE " + condition;
            sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
            sqlite3_bind_text(stmt, 1, value.c_str(), -1, SQLITE_TRANSIENT);
            if (sqlite3_step(stmt) == SQLITE_ROW) found = sqlite3_column_int64(stmt, 0);
            sqlite3_finalize(stmt);
          }
          sqlite3_close(db);
          return found.has_value();
        },
        std::chrono::milliseconds(kWaitMs), std::chrono::milliseconds(50));
    return found;
  }

  std::string workflow(const std::string& text) {
    const std::string path = dir_.file("workflow.yaml");
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(ExecTest, PrintsTheCommandsOutputAndExitsWithItsCode) {
  Ran r = gaia({"exec", "--type", "shell", "--", "sh", "-c", "echo hi; echo warn >&2; exit 3"});
  EXPECT_EQ(r.code, 3) << describe(r);
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "warn\n");
}

TEST_F(ExecTest, PassesTheEnvironmentAndTheDirectory) {
  Ran r = gaia({"exec", "--type", "shell", "--cwd", dir_.path().string(), "--env", "GREETING=a=b",
                "--", "sh", "-c", "echo \"$GREETING\"; pwd"});
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_EQ(r.out, "a=b\n" + std::filesystem::canonical(dir_.path()).string() + "\n");
}

TEST_F(ExecTest, OutputPastTheServersCapIsCutAndSaidSo) {
  Ran r = gaia({"exec", "--type", "shell", "--limit", "output_bytes=5", "--", "sh", "-c",
                "echo 0123456789"});
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_EQ(r.out, "01234");
  EXPECT_EQ(r.err,
            "gaia: the server passed on only the first part of the command's stdout (its output "
            "cap; raise it with --limit output_bytes=N)\n");
}

TEST_F(ExecTest, ACommandKilledByASignalExits128PlusIt) {
  Ran r = gaia({"exec", "--type", "shell", "--", "sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.code, 143) << describe(r);
}

TEST_F(ExecTest, AMissingProgramExits127) {
  Ran r = gaia({"exec", "--type", "shell", "--", "no-such-program-gaia"});
  EXPECT_EQ(r.code, 127) << describe(r);
  EXPECT_EQ(r.err, "gaia: cannot run: program 'no-such-program-gaia' not found in PATH\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(ExecTest, AFileThatIsNotExecutableExits126) {
  const std::string data = dir_.file("data.txt");
  std::ofstream(data) << "not a program\n";
  Ran r = gaia({"exec", "--type", "shell", "--", data});
  EXPECT_EQ(r.code, 126) << describe(r);
  EXPECT_TRUE(r.err.starts_with("gaia: cannot run: cannot execute '" + data + "'")) << r.err;
}

TEST_F(ExecTest, ARefusalExits125WithOneLineOnStderr) {
  const std::string key = user_with_limits(
      "carol", R"([{"kind":"calendar","period":"day","amount":1,"type":"shell"}])");
  Ran first = gaia({"exec", "--type", "shell", "--", "true"}, key);
  EXPECT_EQ(first.code, 0) << describe(first);
  Ran refused = gaia({"exec", "--type", "shell", "--", "sh", "-c", "echo ran > ran.txt"}, key);
  EXPECT_EQ(refused.code, 125) << describe(refused);
  EXPECT_TRUE(
      refused.err.starts_with("gaia: refused: limit key-shell-day reached (1); try again in "))
      << refused.err;
  EXPECT_TRUE(refused.err.ends_with(" s\n")) << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  EXPECT_EQ(refused.out, "");
}

TEST_F(ExecTest, BadInputExits125NamingTheField) {
  Ran r = gaia({"exec", "--type", "no-such-type", "--", "true"});
  EXPECT_EQ(r.code, 125) << describe(r);
  EXPECT_EQ(r.err, "gaia: type: unknown command type no-such-type\n");
  Ran key = gaia({"exec", "--type", "shell", "--", "true"}, "gaia_wrong");
  EXPECT_EQ(key.code, 125) << describe(key);
  EXPECT_NE(key.err.find("HTTP 401"), std::string::npos) << key.err;
}

TEST_F(ExecTest, JsonPrintsTheEvents) {
  Ran r = gaia({"exec", "--type", "shell", "--json", "--", "sh", "-c", "echo hi; exit 4"});
  EXPECT_EQ(r.code, 4) << describe(r);
  std::vector<std::string> events;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    events.emplace_back(boost::json::parse(line).at("event").as_string());
  }
  ASSERT_GE(events.size(), 3u) << r.out;
  EXPECT_EQ(events.front(), "queued");
  EXPECT_EQ(events.back(), "exited");
  EXPECT_NE(r.out.find(R"("data":"hi\n")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("exit_code":4)"), std::string::npos) << r.out;
}

TEST_F(ExecTest, InterruptingGaiaCancelsTheCommandOnTheServer) {
  for (const int sig : {SIGINT, SIGTERM}) {
    const std::string id = "cancel-" + std::to_string(sig);
    Gaia g({"exec", "--type", "shell", "--id", id, "--", "sh", "-c", "echo ready; exec sleep 30"},
           env(kAdminKey));
    ASSERT_TRUE(g.wait_for_stdout("ready\n")) << g.describe();
    g.signal(sig);
    EXPECT_EQ(g.wait_exit(), 128 + sig) << g.describe();
    EXPECT_NE(g.err.find("gaia: interrupted; the command was cancelled"), std::string::npos)
        << g.err;
    // The server stopped the sleep (SIGTERM first) and recorded it as ended by that signal.
    EXPECT_EQ(recorded_signal(id), std::optional<int64_t>(SIGTERM)) << id;
  }
}

// SIGTERM drains the server: no new command, and those running may finish for
// GAIA_SHUTDOWN_GRACE_S; what still runs then is cancelled, and gaia says why.
TEST_F(ExecTest, ACommandRunningAtSigtermFinishesWithinTheGrace) {
  restart({"GAIA_SHUTDOWN_GRACE_S=5"});
  Gaia g({"exec", "--type", "shell", "--", "sh", "-c", "echo ready; sleep 1; echo done"},
         env(kAdminKey));
  ASSERT_TRUE(g.wait_for_stdout("ready\n")) << g.describe();
  server_->signal(SIGTERM);
  EXPECT_EQ(g.wait_exit(), 0) << g.describe();
  EXPECT_EQ(g.out, "ready\ndone\n");
  EXPECT_EQ(server_->wait_exit(), 0) << server_->stderr_;
  server_.reset();
}

TEST_F(ExecTest, WhileDrainingANewCommandIsRefused503AndReadyAnswers503) {
  restart({"GAIA_SHUTDOWN_GRACE_S=60"});
  Gaia g({"exec", "--type", "shell", "--", "sh", "-c", "echo ready; sleep 5"}, env(kAdminKey));
  ASSERT_TRUE(g.wait_for_stdout("ready\n")) << g.describe();
  server_->signal(SIGTERM);
  ASSERT_TRUE(server_->read_line_starting("[INFO] Draining")) << server_->stdout_;
  auto ready = http_get(port_, "/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("draining"), std::string::npos) << ready->body;
  const Ran refused = gaia({"exec", "--type", "shell", "--", "true"});
  EXPECT_EQ(refused.code, 125) << describe(refused);
  EXPECT_NE(refused.err.find("shutting down"), std::string::npos) << refused.err;
  EXPECT_EQ(g.wait_exit(), 0) << g.describe();
  EXPECT_EQ(server_->wait_exit(), 0) << server_->stderr_;
  server_.reset();
}

TEST_F(ExecTest, ACommandStillRunningWhenTheGraceEndsIsCancelledAndGaiaExits75) {
  restart({"GAIA_SHUTDOWN_GRACE_S=1"});
  Gaia g(
      {"exec", "--type", "shell", "--id", "drained", "--", "sh", "-c", "echo ready; exec sleep 30"},
      env(kAdminKey));
  ASSERT_TRUE(g.wait_for_stdout("ready\n")) << g.describe();
  server_->signal(SIGTERM);
  EXPECT_EQ(g.wait_exit(), 75) << g.describe();
  EXPECT_NE(g.err.find("gaia: the command was cancelled by the server's shutdown"),
            std::string::npos)
      << g.err;
  EXPECT_EQ(server_->wait_exit(), 0) << server_->stderr_;
  server_.reset();
  EXPECT_EQ(recorded_signal("drained"), std::optional<int64_t>(SIGTERM));
}

TEST_F(ExecTest, ACommandHeldInTheQueueSaysSoOnce) {
  const std::string key = user_with_limits("erin", R"([{"kind":"concurrency","amount":1}])");
  Gaia first({"exec", "--type", "shell", "--", "sh", "-c", "echo ready; exec sleep 30"}, env(key));
  ASSERT_TRUE(first.wait_for_stdout("ready\n")) << first.describe();
  // The one slot is taken: the second waits, and says so, until the first is cancelled.
  Gaia second({"exec", "--type", "shell", "--", "echo", "second"}, env(key));
  ASSERT_TRUE(second.wait_for_stderr("gaia: queued at position 1\n")) << second.describe();
  first.signal(SIGINT);
  EXPECT_EQ(first.wait_exit(), 130) << first.describe();
  EXPECT_EQ(second.wait_exit(), 0) << second.describe();
  EXPECT_EQ(second.out, "second\n");
  EXPECT_EQ(second.err, "gaia: queued at position 1\n");
}

TEST_F(ExecTest, RunFollowsTheDependencies) {
  const std::string order = dir_.file("order.txt");
  const auto task = [&order](const std::string& name, const std::string& deps) {
    return "  - {name: " + name + ", type: shell, argv: [sh, -c, 'echo " + name + " starts >> " +
           order + "; echo " + name + " ends >> " + order + "'], depends_on: [" + deps + "]}\n";
  };
  // File order is the reverse of the dependency order, so only the dependencies can order it.
  const std::string path = workflow("name: chain\nparallelism: 3\ntasks:\n" + task("c", "b") +
                                    task("b", "a") + task("a", ""));
  Ran r = gaia({"run", path});
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_EQ(lines_of(order), "a starts\na ends\nb starts\nb ends\nc starts\nc ends\n");
  EXPECT_NE(r.out.find("TASK  STATE      EXIT  DURATION"), std::string::npos) << r.out;
  for (const char* name : {"a ", "b ", "c "}) {
    EXPECT_NE(r.out.find(std::string(name) + "    succeeded  0 "), std::string::npos)
        << name << r.out;
  }
}

TEST_F(ExecTest, RunRunsTasksInParallelUpToTheLimit) {
  // Each task waits for the other's file: they can only both succeed by running at once (one
  // alone gives up after its 20 s timeout).
  const std::string d = dir_.path().string();
  const auto task = [&d](const std::string& me, const std::string& other) {
    return "  - {name: " + me + ", type: shell, timeout_s: 20, argv: [sh, -c, 'touch " + d + "/" +
           me + "; while [ ! -f " + d + "/" + other + " ]; do sleep 0.05; done']}\n";
  };
  const std::string path =
      workflow("name: barrier\nparallelism: 1\ntasks:\n" + task("a", "b") + task("b", "a"));
  Ran r = gaia({"run", path, "--parallelism", "2"});
  EXPECT_EQ(r.code, 0) << describe(r);
}

TEST_F(ExecTest, RunWaitsOutARefusalWhenAsked) {
  const std::string key =
      user_with_limits("frank", R"([{"kind":"rate","amount":1,"window_ms":3000,"type":"shell"}])");
  const std::string marks = dir_.path().string();
  const std::string path = workflow(R"(
name: rate
tasks:
  - {name: one, type: shell, argv: [touch, )" +
                                    marks + R"(/one]}
  - {name: two, type: shell, argv: [touch, )" +
                                    marks + R"(/two], depends_on: [one]}
)");
  Ran r = gaia({"run", path, "--wait-on-refusal", "--max-wait", "60"}, key);
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(std::filesystem::exists(marks + "/two"));
  EXPECT_NE(r.err.find("[two] gaia: refused: limit key-shell-rate-3s reached (1); try again in "),
            std::string::npos)
      << r.err;
}

TEST_F(ExecTest, RunPrintsAQuotaWarningWithTheTasksName) {
  const std::string key =
      user_with_limits("gail", R"([{"kind":"calendar","period":"day","amount":5,"type":"shell"}])");
  // One after another, so the fourth is the admission that reaches 80 % of five.
  const std::string path = workflow(R"(
name: four
tasks:
  - {name: a, type: shell, argv: [true]}
  - {name: b, type: shell, argv: [true], depends_on: [a]}
  - {name: c, type: shell, argv: [true], depends_on: [b]}
  - {name: d, type: shell, argv: [true], depends_on: [c]}
)");
  Ran r = gaia({"run", path}, key);
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_NE(r.err.find("[d] gaia: warning: quota key-shell-day of shell at 80 % (4 of 5 used), "
                       "resets in "),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("[c] gaia: warning"), std::string::npos) << r.err;
}

TEST_F(ExecTest, InterruptingRunCancelsItsRunningTasks) {
  const std::string path = workflow(R"(
name: long
tasks:
  - {name: sleeper, type: shell, argv: [sh, -c, 'echo ready; exec sleep 31']}
  - {name: after, type: shell, argv: [true], depends_on: [sleeper]}
)");
  Gaia g({"run", path}, env(kAdminKey));
  ASSERT_TRUE(g.wait_for_stdout("[sleeper] ready\n")) << g.describe();
  g.signal(SIGTERM);
  EXPECT_EQ(g.wait_exit(), 143) << g.describe();
  EXPECT_NE(g.out.find("sleeper  failed "), std::string::npos) << g.out;
  EXPECT_NE(g.out.find("after    skipped "), std::string::npos) << g.out;
  EXPECT_EQ(recorded_signal_where("command LIKE ?", "%sleep 31%"), std::optional<int64_t>(SIGTERM));
}

TEST_F(ExecTest, RunPrefixesEachOutputLineWithItsTask) {
  const std::string path = workflow(R"(
name: output
parallelism: 2
tasks:
  - {name: one, type: shell, argv: [sh, -c, 'echo first; echo second; printf partial']}
  - {name: two, type: shell, argv: [sh, -c, 'echo oops >&2']}
)");
  Ran r = gaia({"run", path});
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_NE(r.out.find("[one] first\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[one] second\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[one] partial\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("[two] oops\n"), std::string::npos) << r.err;
}

TEST_F(ExecTest, RunSkipsTheDependantsOfAFailingTask) {
  const std::string marks = dir_.path().string();
  const std::string path = workflow(R"(
name: failing
tasks:
  - {name: build, type: shell, argv: [sh, -c, 'touch )" +
                                    marks + R"(/build; exit 4']}
  - {name: test, type: shell, argv: [touch, )" +
                                    marks + R"(/test], depends_on: [build]}
  - {name: ship, type: shell, argv: [touch, )" +
                                    marks + R"(/ship], depends_on: [test]}
)");
  Ran r = gaia({"run", path});
  EXPECT_EQ(r.code, 1) << describe(r);
  EXPECT_TRUE(std::filesystem::exists(marks + "/build"));
  EXPECT_FALSE(std::filesystem::exists(marks + "/test"));
  EXPECT_FALSE(std::filesystem::exists(marks + "/ship"));
  EXPECT_NE(r.err.find("gaia: task 'build' failed: exit code 4\n"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("build  failed   4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test   skipped  -     -         depends on failed task 'build'"),
            std::string::npos)
      << r.out;
}

TEST_F(ExecTest, RunFailsARefusedTaskAndRejectsACycleBeforeRunningAnything) {
  const std::string key =
      user_with_limits("dave", R"([{"kind":"calendar","period":"day","amount":1,"type":"shell"}])");
  const std::string marks = dir_.path().string();
  const std::string refused = workflow(R"(
name: quota
tasks:
  - {name: first, type: shell, argv: [touch, )" +
                                       marks + R"(/first]}
  - {name: second, type: shell, argv: [touch, )" +
                                       marks + R"(/second], depends_on: [first]}
)");
  Ran r = gaia({"run", refused}, key);
  EXPECT_EQ(r.code, 1) << describe(r);
  EXPECT_TRUE(std::filesystem::exists(marks + "/first"));
  EXPECT_FALSE(std::filesystem::exists(marks + "/second"));
  EXPECT_NE(r.err.find("gaia: task 'second' refused: limit key-shell-day reached (1)"),
            std::string::npos)
      << r.err;

  const std::string cycle = workflow(R"(
name: cycle
tasks:
  - {name: ok, type: shell, argv: [touch, )" +
                                     marks + R"(/ok]}
  - {name: a, type: shell, argv: [touch, )" +
                                     marks + R"(/a], depends_on: [b]}
  - {name: b, type: shell, argv: [touch, )" +
                                     marks + R"(/b], depends_on: [a]}
)");
  Ran c = gaia({"run", cycle});
  EXPECT_EQ(c.code, 2) << describe(c);
  EXPECT_EQ(c.err, "gaia: " + cycle + ": workflow: depends_on forms a cycle: a -> b -> a\n");
  EXPECT_FALSE(std::filesystem::exists(marks + "/ok"));
  EXPECT_EQ(c.out, "");
}

TEST_F(ExecTest, RunRefusesAWorkflowPastItsCapsNamingEachAndRunsNothing) {
  const std::string mark = dir_.file("ran");
  const std::string touch = "  - {name: t0, type: shell, argv: [touch, " + mark + "]}\n";
  // About 1 MB whose 3,000 aliases would copy 876 KB each.
  std::string aliases = "name: w\ntasks:\n" + touch + "  - {name: big, type: shell, argv: &big [";
  for (int i = 0; i < 3000; ++i) aliases += (i ? ", " : "") + std::string(290, 'x');
  aliases += "]}\n";
  for (int i = 1; i <= 3000; ++i) {
    aliases += "  - {name: t" + std::to_string(i) + ", type: shell, argv: *big}\n";
  }
  std::string tasks = "name: w\ntasks:\n" + touch;
  for (int i = 1; i <= 1000; ++i) {
    tasks += "  - {name: t" + std::to_string(i) + ", type: shell, argv: [true]}\n";
  }
  const std::string large = "name: w\ntasks:\n" + touch + "# " + std::string(1 << 20, 'x') + "\n";
  const std::pair<std::string, std::string> cases[] = {
      {aliases, "workflow: aliases: 3000 aliases, at most 1000"},
      {tasks, "workflow: tasks: 1001 tasks, at most 1000"},
      {large, "workflow: larger than 1048576 bytes (1 MiB)"},
  };
  for (const auto& [text, cap] : cases) {
    const std::string path = workflow(text);
    Ran r = gaia({"run", path});
    EXPECT_EQ(r.code, 2) << describe(r);
    EXPECT_EQ(r.err, "gaia: " + path + ": " + cap + "\n");
    EXPECT_FALSE(std::filesystem::exists(mark));
  }
}

}  // namespace
}  // namespace gaia::testing
