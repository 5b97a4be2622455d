// The gaia command line as a user types it, against a fake server: which request each command
// makes, what it prints and how it exits. The real client and server are in
// tests/integration/cli_test.cc and exec_test.cc.

#include "cli/cli_main.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <mutex>
#include <sstream>

#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::cli {
namespace {

// Answers every stream() call with the script for its request (by argv[0] of the exec body,
// else the first script), and records the requests. Thread-safe: gaia run calls it in parallel.
class FakeClient final : public HttpClient {
 public:
  struct Script {
    int status = 200;
    std::map<std::string, std::string> headers;
    std::vector<std::string> lines;
  };

  core::Result<HttpResponse> send(const HttpRequest& req) override {
    std::lock_guard lock(mu_);
    requests.push_back(req);
    if (!bodies.contains(req.path)) return core::Status::unavailable("not scripted");
    return HttpResponse{200, {}, bodies[req.path]};
  }
  core::Status stream(const HttpRequest& req, const StreamHandler& handler) override {
    Script script;
    {
      std::lock_guard lock(mu_);
      if (on_stream) on_stream();
      requests.push_back(req);
      boost::system::error_code ec;
      auto body = boost::json::parse(req.body, ec);
      std::string program;
      if (!ec && body.is_object() && body.as_object().contains("argv")) {
        program = std::string(body.at("argv").at(0).as_string());
      }
      script = scripts.contains(program) ? scripts[program] : scripts[""];
    }
    handler.on_head({script.status, script.headers, ""});
    for (const std::string& line : script.lines) handler.on_line(line);
    return {};
  }

  std::mutex mu_;
  std::map<std::string, Script> scripts;      // by program; "" for any other
  std::map<std::string, std::string> bodies;  // send(): answered 200 with this body, by path
  std::function<void()> on_stream;            // called as each stream() begins
  std::vector<HttpRequest> requests;
};

struct Ran {
  int code = -1;
  std::string out, err;
};

class CliMainTest : public ::testing::Test {
 protected:
  Ran gaia(std::vector<std::string> args, bool with_key = true) {
    std::vector<const char*> argv{"gaia", "--url", "http://127.0.0.1:9"};
    if (with_key) {
      argv.push_back("--key");
      argv.push_back("k");
    }
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    CliEnvironment env{out, err, clock_, [this](const ServerTarget& target) {
                         streaming_ = target.streaming;
                         return core::Result<std::unique_ptr<HttpClient>>(
                             std::unique_ptr<HttpClient>(std::make_unique<Forward>(client_)));
                       }};
    Ran r;
    r.code = run_cli(static_cast<int>(argv.size()), argv.data(), env);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  boost::json::value body(size_t i = 0) { return boost::json::parse(client_.requests.at(i).body); }

  // The environment owns its client; this one forwards to the test's.
  struct Forward final : HttpClient {
    explicit Forward(FakeClient& c) : c_(c) {}
    core::Result<HttpResponse> send(const HttpRequest& r) override { return c_.send(r); }
    core::Status stream(const HttpRequest& r, const StreamHandler& h) override {
      return c_.stream(r, h);
    }
    FakeClient& c_;
  };

  static std::string exited(int code) {
    return R"({"event":"exited","exit_code":)" + std::to_string(code) +
           R"(,"duration_ms":5,"recorded":true})";
  }

  testing::ManualClock clock_;
  FakeClient client_;
  bool streaming_ = false;
};

TEST_F(CliMainTest, ExecSendsEveryOptionAndExitsWithTheCommandsCode) {
  client_.scripts[""] = {200,
                         {},
                         {R"({"event":"started"})", R"({"event":"stdout","data":"hi\n"})",
                          R"({"event":"stderr","data":"oops\n"})", exited(3)}};
  Ran r = gaia({"exec",  "--type", "shell", "--cwd", "/tmp",    "--timeout",        "5",
                "--env", "A=1",    "--env", "B=x=y", "--limit", "output_bytes=100", "--agent",
                "--id",  "run-1",  "--",    "sh",    "-c",      "echo hi; exit 3"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "oops\n");
  EXPECT_TRUE(streaming_);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].method, "POST");
  EXPECT_EQ(client_.requests[0].path, "/api/v1/exec");
  EXPECT_EQ(client_.requests[0].bearer_key, "k");
  EXPECT_EQ(body(), boost::json::parse(R"({"type":"shell","argv":["sh","-c","echo hi; exit 3"],
      "cwd":"/tmp","timeout_s":5,"env":{"A":"1","B":"x=y"},"limits":{"output_bytes":100},
      "agent":true,"id":"run-1"})"));
}

TEST_F(CliMainTest, ExecArgumentsThatLookLikeOptionsBelongToTheCommandAfterDashDash) {
  client_.scripts[""] = {200, {}, {exited(0)}};
  Ran r = gaia({"exec", "--type", "test", "--", "ls", "--json", "-l", "--type", "x"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(body().at("argv"), boost::json::parse(R"(["ls","--json","-l","--type","x"])"));
  EXPECT_EQ(body().at("type"), "test");
  EXPECT_EQ(r.out, "");
}

TEST_F(CliMainTest, ExecUsageErrorsExit125WithoutCallingTheServer) {
  Ran no_type = gaia({"exec", "--", "true"});
  EXPECT_EQ(no_type.code, 125);
  EXPECT_NE(no_type.err.find("--type"), std::string::npos) << no_type.err;
  Ran no_argv = gaia({"exec", "--type", "shell"});
  EXPECT_EQ(no_argv.code, 125);
  Ran bad_env = gaia({"exec", "--type", "shell", "--env", "NOVALUE", "--", "true"});
  EXPECT_EQ(bad_env.code, 125);
  EXPECT_EQ(bad_env.err, "gaia: --env NOVALUE: expected NAME=VALUE\n");
  Ran bad_limit = gaia({"exec", "--type", "shell", "--limit", "memory_bytes=lots", "--", "true"});
  EXPECT_EQ(bad_limit.code, 125);
  Ran zero = gaia({"exec", "--type", "shell", "--timeout", "0", "--", "true"});
  EXPECT_EQ(zero.code, 125);
  Ran no_key = gaia({"exec", "--type", "shell", "--", "true"}, false);
  EXPECT_EQ(no_key.code, 125);
  EXPECT_EQ(no_key.err, "gaia: set GAIA_KEY or pass --key\n");
  EXPECT_TRUE(client_.requests.empty());
  // Other commands keep their usage code.
  EXPECT_EQ(gaia({"check"}).code, 2);
}

TEST_F(CliMainTest, ExecExplainsAWaitAndARefusalInOneLine) {
  client_.scripts[""] = {200,
                         {},
                         {R"({"event":"queued","position":2,"expected_wait_ms":3500})",
                          R"({"event":"queued","position":1,"expected_wait_ms":1000})",
                          R"({"event":"started"})", exited(0)}};
  Ran queued = gaia({"exec", "--type", "shell", "--", "true"});
  EXPECT_EQ(queued.code, 0);
  EXPECT_EQ(queued.err, "gaia: queued at position 3, about 4 s\n");

  client_.scripts[""] = {
      429,
      {{"retry-after", "3600"}},
      {R"({"error":"limit_exceeded","message":"limit shell-day reached (500); try again in 3600 s"})"}};
  Ran refused = gaia({"exec", "--type", "shell", "--", "true"});
  EXPECT_EQ(refused.code, 125);
  EXPECT_EQ(refused.err, "gaia: refused: limit shell-day reached (500); try again in 3600 s\n");
  EXPECT_EQ(refused.out, "");
}

TEST_F(CliMainTest, ExecMapsSignalsAndStartFailures) {
  client_.scripts[""] = {200, {}, {R"({"event":"exited","signal":15,"duration_ms":1})"}};
  EXPECT_EQ(gaia({"exec", "--type", "shell", "--", "sh"}).code, 143);
  client_.scripts[""] = {
      200, {}, {R"({"event":"failed","message":"program 'nope' not found in PATH"})"}};
  Ran missing = gaia({"exec", "--type", "shell", "--", "nope"});
  EXPECT_EQ(missing.code, 127);
  EXPECT_EQ(missing.err, "gaia: cannot run: program 'nope' not found in PATH\n");
  client_.scripts[""] = {
      422, {}, {R"({"error":"not_started","message":"program 'x' is not executable"})"}};
  EXPECT_EQ(gaia({"exec", "--type", "shell", "--", "x"}).code, 126);
}

TEST_F(CliMainTest, ExecJsonPrintsTheEventsVerbatim) {
  const std::vector<std::string> lines = {R"({"event":"started"})",
                                          R"({"event":"stdout","data":"hi\n"})", exited(0)};
  client_.scripts[""] = {200, {}, lines};
  Ran r = gaia({"exec", "--type", "shell", "--json", "--", "echo", "hi"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n");
  EXPECT_EQ(r.err, "");
}

class CliRunTest : public CliMainTest {
 protected:
  std::string workflow(const std::string& text) {
    const std::string path = dir_.file("wf.yaml");
    std::ofstream(path) << text;
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(CliMainTest, ListingsTellAgesByTheGivenClock) {
  const int64_t three_hours_ago_ms = core::to_ms(clock_.wall_now()) - 3 * 3'600'000;
  client_.bodies["/api/admin/users?limit=1000"] =
      R"({"users":[{"name":"alice","tier":"default","id":7,"created_at_ms":)" +
      std::to_string(three_hours_ago_ms) + "}]}";
  Ran r = gaia({"admin", "users"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(3 h ago)"), std::string::npos) << r.out;
}

TEST_F(CliRunTest, RunsTasksPrefixingTheirOutputAndSumsUp) {
  client_.scripts["make"] = {200,
                             {},
                             {R"({"event":"stdout","data":"built\npart"})",
                              R"({"event":"stdout","data":"ial\n"})", exited(0)}};
  client_.scripts["ctest"] = {200, {}, {R"({"event":"stderr","data":"1 failed"})", exited(8)}};
  const std::string path = workflow(R"(
name: build
tasks:
  - {name: compile, type: code, argv: [make, -j2], timeout_s: 1.5, env: {CC: gcc}}
  - {name: test, type: test, argv: [ctest], depends_on: [compile]}
  - {name: package, type: shell, argv: [tar, cf, x.tar], depends_on: [test]}
)");
  Ran r = gaia({"run", path});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(r.out.starts_with("[compile] built\n[compile] partial\n")) << r.out;
  EXPECT_NE(r.err.find("[test] 1 failed\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gaia: task 'test' failed: exit code 8\n"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("TASK     STATE      EXIT  DURATION  NOTE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("compile  succeeded  0     5 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test     failed     8     5 ms      exit code 8"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("package  skipped    -     -         depends on failed task 'test'"),
            std::string::npos)
      << r.out;
  ASSERT_EQ(client_.requests.size(), 2u);
  EXPECT_EQ(body(0), boost::json::parse(R"({"type":"code","argv":["make","-j2"],"timeout_s":2,
                                           "env":{"CC":"gcc"}})"));
}

TEST_F(CliRunTest, ARefusedTaskFailsTheWorkflowWithTheReason) {
  client_.scripts[""] = {429,
                         {{"retry-after", "60"}},
                         {R"j({"error":"limit_exceeded","message":"limit x reached (1)"})j"}};
  const std::string path = workflow("name: w\ntasks:\n  - {name: a, type: shell, argv: [true]}\n");
  Ran r = gaia({"run", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("gaia: task 'a' refused: limit x reached (1); try again in 60 s"),
            std::string::npos)
      << r.err;
  // Waiting is allowed only up to --max-wait: 60 s is past a 10 s deadline.
  Ran waited = gaia({"run", path, "--wait-on-refusal", "--max-wait", "10"});
  EXPECT_EQ(waited.code, 1);
  EXPECT_NE(waited.err.find("not retried: that is past the --max-wait deadline"), std::string::npos)
      << waited.err;
  EXPECT_EQ(client_.requests.size(), 2u);
}

TEST_F(CliRunTest, TheMaxWaitDeadlineIsKeptByTheGivenClock) {
  client_.scripts[""] = {429,
                         {{"retry-after", "5"}},
                         {R"j({"error":"limit_exceeded","message":"limit x reached (1)"})j"}};
  // Each exchange takes 8 s by the clock: the refusal comes at 8 s, and waiting 5 s more would
  // end past the 10 s deadline, so the task is not sent again.
  client_.on_stream = [this] { clock_.advance(std::chrono::seconds(8)); };
  const std::string path = workflow("name: w\ntasks:\n  - {name: a, type: shell, argv: [true]}\n");
  Ran r = gaia({"run", path, "--wait-on-refusal", "--max-wait", "10"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not retried: that is past the --max-wait deadline"), std::string::npos)
      << r.err;
  EXPECT_EQ(client_.requests.size(), 1u);
}

TEST_F(CliRunTest, AnInvalidWorkflowExitsTwoAndRunsNothing) {
  const std::string cycle = workflow(R"(
name: w
tasks:
  - {name: a, type: shell, argv: [true], depends_on: [b]}
  - {name: b, type: shell, argv: [true], depends_on: [a]}
)");
  Ran r = gaia({"run", cycle});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "gaia: " + cycle + ": workflow: depends_on forms a cycle: a -> b -> a\n");
  Ran missing = gaia({"run", dir_.file("nope.yaml")});
  EXPECT_EQ(missing.code, 2);
  const std::string ok = workflow("name: w\ntasks:\n  - {name: a, type: shell, argv: [true]}\n");
  Ran parallel = gaia({"run", ok, "--parallelism", "0"});
  EXPECT_EQ(parallel.code, 2);
  EXPECT_EQ(parallel.err, "gaia: --parallelism: workflow: parallelism must be an integer >= 1\n");
  EXPECT_TRUE(client_.requests.empty());
}

TEST_F(CliRunTest, AMegabyteWorkflowOfThreeThousandAliasesExitsTwoNamingTheCap) {
  // The first task's argv of about 876 KB, named by alias from 3,000 more tasks.
  std::string text = "name: w\ntasks:\n  - {name: t0, type: shell, argv: &big [";
  for (int i = 0; i < 3000; ++i) text += (i ? ", " : "") + std::string(290, 'x');
  text += "]}\n";
  for (int i = 1; i <= 3000; ++i) {
    text += "  - {name: t" + std::to_string(i) + ", type: shell, argv: *big}\n";
  }
  ASSERT_GT(text.size(), 1'000'000u);
  const std::string path = workflow(text);
  Ran r = gaia({"run", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "gaia: " + path + ": workflow: aliases: 3000 aliases, at most 1000\n");
  EXPECT_TRUE(client_.requests.empty());
}

}  // namespace
}  // namespace gaia::cli
