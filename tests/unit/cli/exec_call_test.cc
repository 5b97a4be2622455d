#include "cli/exec_call.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace gaia::cli {
namespace {

class RecordingListener : public ExecListener {
 public:
  void on_output(OutputStream stream, std::string_view data) override {
    (stream == OutputStream::kStdout ? out : err).append(data);
  }
  void on_queued(int64_t ahead, int64_t wait_ms) override {
    queued.push_back(std::to_string(ahead) + "/" + std::to_string(wait_ms));
  }
  void on_body_line(std::string_view line) override { lines.emplace_back(line); }
  std::string out, err;
  std::vector<std::string> queued, lines;
};

std::string exited_line() { return R"({"event":"exited","exit_code":0,"duration_ms":1})"; }

HttpResponse head(int status, std::map<std::string, std::string> headers = {}) {
  return {status, std::move(headers), ""};
}

ExecResult answer(RecordingListener& l, const HttpResponse& h,
                  const std::vector<std::string>& lines, const core::Status& transport = {}) {
  ExecAnswer a(l);
  a.on_head(h);
  for (const std::string& line : lines) a.on_line(line);
  return a.finish(transport);
}

TEST(ExecCallTest, BodyCarriesEveryGivenFieldAndNoOther) {
  ExecArgs args;
  args.type = "shell";
  args.argv = {"sh", "-c", "echo \"hi\"; exit 3"};
  EXPECT_EQ(boost::json::parse(exec_body(args)),
            boost::json::parse(R"({"type":"shell","argv":["sh","-c","echo \"hi\"; exit 3"]})"));
  args.cwd = "/tmp";
  args.timeout_s = 5;
  args.env = {{"A", "1"}, {"B", "x=y"}, {"A", "2"}};
  args.agent = true;
  args.id = "run-1";
  EXPECT_EQ(boost::json::parse(exec_body(args)),
            boost::json::parse(R"({"type":"shell","argv":["sh","-c","echo \"hi\"; exit 3"],
               "cwd":"/tmp","timeout_s":5,"env":{"A":"2","B":"x=y"},"agent":true,"id":"run-1"})"));
}

TEST(ExecCallTest, EnvAssignmentsSplitAtTheFirstEqualsSign) {
  auto a = parse_env_assignment("PATH=/bin:/usr/bin");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "PATH");
  EXPECT_EQ(a->second, "/bin:/usr/bin");
  auto b = parse_env_assignment("X=a=b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->second, "a=b");
  auto empty = parse_env_assignment("EMPTY=");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->second, "");
  EXPECT_EQ(parse_env_assignment("NOEQUALS").status().message(),
            "--env NOEQUALS: expected NAME=VALUE");
  EXPECT_EQ(parse_env_assignment("=v").status().message(), "--env =v: the name is empty");
}

TEST(ExecCallTest, LimitsArePositiveIntegersByName) {
  auto a = parse_limit_assignment("output_bytes=10000000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "output_bytes");
  EXPECT_EQ(a->second, 10'000'000);
  for (const char* bad : {"output_bytes", "=5", "memory_bytes=0", "memory_bytes=-1",
                          "memory_bytes=1G", "memory_bytes="}) {
    auto r = parse_limit_assignment(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              "--limit " + std::string(bad) + ": expected NAME=N with N a positive integer");
  }
  ExecArgs args;
  args.type = "shell";
  args.argv = {"true"};
  args.limits = {{"memory_bytes", 1 << 20}, {"output_bytes", 5}};
  EXPECT_EQ(boost::json::parse(exec_body(args)).at("limits"),
            boost::json::parse(R"({"memory_bytes":1048576,"output_bytes":5})"));
}

TEST(ExecCallTest, StartFailuresMapToTheShellsCodes) {
  EXPECT_EQ(not_started_exit_code("cannot run: program 'nope' not found in PATH"), 127);
  EXPECT_EQ(not_started_exit_code("cannot execute '/x/y': No such file or directory"), 127);
  EXPECT_EQ(not_started_exit_code("cannot execute '/etc/passwd/x': Not a directory"), 127);
  EXPECT_EQ(not_started_exit_code("program 'data.txt' is not executable"), 126);
  EXPECT_EQ(not_started_exit_code("cannot execute '/tmp': Permission denied"), 126);
  EXPECT_EQ(not_started_exit_code("cannot execute './a.out': Exec format error"), 126);
  EXPECT_EQ(not_started_exit_code("cannot enter cwd '/nope': No such file or directory"), 125);
  EXPECT_EQ(not_started_exit_code("waited too long in the queue"), 125);
}

TEST(ExecCallTest, StreamsOutputAndEndsWithTheExitCode) {
  RecordingListener l;
  ExecResult r = answer(l, head(200),
                        {R"({"event":"queued","position":2,"expected_wait_ms":3500})",
                         R"({"event":"queued","position":1,"expected_wait_ms":1200})",
                         R"({"event":"started"})", R"({"event":"stdout","data":"hi\n"})",
                         R"({"event":"stderr","data":"warn"})", R"({"event":"stdout","data":"!"})",
                         R"({"event":"exited","exit_code":3,"duration_ms":12,"timed_out":false,)"
                         R"("cancelled":false,"memory_limit_hit":false,"recorded":true})"});
  EXPECT_EQ(r.end, ExecEnd::kExited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.duration_ms, 12);
  EXPECT_TRUE(r.notes.empty());
  EXPECT_EQ(exec_exit_code(r), 3);
  EXPECT_EQ(l.out, "hi\n!");
  EXPECT_EQ(l.err, "warn");
  EXPECT_EQ(l.queued, (std::vector<std::string>{"2/3500", "1/1200"}));
  EXPECT_EQ(l.lines.size(), 7u);
}

TEST(ExecCallTest, AQueuedCommandThatDoesNotStartIsToldAsWaitingOnce) {
  RecordingListener l;
  ExecAnswer a(l);
  a.on_head(head(200));
  a.on_line(R"({"event":"queued","position":0,"expected_wait_ms":0})");
  EXPECT_TRUE(l.queued.empty());  // about to start: nothing to tell yet
  a.on_idle();
  EXPECT_EQ(l.queued, std::vector<std::string>{"0/0"});
  a.on_idle();
  EXPECT_EQ(l.queued.size(), 1u);
  a.on_line(R"({"event":"started"})");
  a.on_line(exited_line());
  EXPECT_EQ(a.finish({}).end, ExecEnd::kExited);

  RecordingListener started;
  ExecAnswer b(started);
  b.on_head(head(200));
  b.on_line(R"({"event":"queued","position":0,"expected_wait_ms":0})");
  b.on_line(R"({"event":"started"})");
  b.on_idle();  // a command running quietly is not waiting
  EXPECT_TRUE(started.queued.empty());
}

TEST(ExecCallTest, ASignalIs128PlusItAndNotesSayWhatElseHappened) {
  RecordingListener l;
  ExecResult r = answer(l, head(200),
                        {R"({"event":"exited","signal":15,"duration_ms":1000,"timed_out":true,)"
                         R"("cancelled":true,"memory_limit_hit":true,"recorded":false,)"
                         R"("record_error":"disk full","output_dropped_bytes":10,)"
                         R"("stdout_truncated":true,"stderr_truncated":false})"});
  EXPECT_EQ(r.end, ExecEnd::kSignalled);
  EXPECT_EQ(exec_exit_code(r), 143);
  EXPECT_EQ(r.notes, (std::vector<std::string>{
                         "the command ran past its timeout and was stopped",
                         "the command hit its memory limit",
                         "the server passed on only the first part of the command's stdout (its "
                         "output cap; raise it with --limit output_bytes=N)",
                         "10 bytes of output were dropped: the connection read slower than the "
                         "command wrote",
                         "the execution was not recorded: disk full"}));
}

TEST(ExecCallTest, RefusalsSayWhyAndWhenToRetry) {
  RecordingListener l;
  ExecResult limit = answer(
      l, head(429, {{"retry-after", "3600"}}),
      {R"({"error":"limit_exceeded","message":"limit shell-day reached (500); try again in 3600 s",)",
       R"("retry_after_s":3600})"});
  EXPECT_EQ(limit.end, ExecEnd::kRefused);
  EXPECT_EQ(limit.message, "refused: limit shell-day reached (500); try again in 3600 s");
  EXPECT_EQ(limit.retry_after_s, 3600);
  EXPECT_EQ(exec_exit_code(limit), 125);

  ExecResult load =
      answer(l, head(503, {{"retry-after", "5"}}),
             {R"({"error":"overloaded","message":"the machine is overloaded; try again later"})"});
  EXPECT_EQ(load.message, "refused: the machine is overloaded; try again in 5 s");
  EXPECT_EQ(load.retry_after_s, 5);

  ExecResult denied =
      answer(l, head(403),
             {R"({"error":"denied","message":"denied by policy: rm -rf is never allowed"})"});
  EXPECT_EQ(denied.end, ExecEnd::kRefused);
  EXPECT_EQ(denied.message, "refused: denied by policy: rm -rf is never allowed");
  EXPECT_FALSE(denied.retry_after_s);
}

TEST(ExecCallTest, ErrorsNameTheFieldOrTheStatus) {
  RecordingListener l;
  ExecResult field =
      answer(l, head(400), {R"({"error":"bad_request","field":"argv","message":"is required"})"});
  EXPECT_EQ(field.end, ExecEnd::kError);
  EXPECT_EQ(field.message, "argv: is required");
  EXPECT_EQ(exec_exit_code(field), 125);
  EXPECT_EQ(answer(l, head(401), {R"({"error":"unauthorized"})"}).message,
            "the server did not accept the API key (HTTP 401); check GAIA_KEY or --key");
  EXPECT_EQ(answer(l, head(500), {"oops"}).message,
            "the server answered HTTP 500 without a JSON body");
  ExecResult not_started = answer(
      l, head(422), {R"({"error":"not_started","message":"program 'nope' not found in PATH"})"});
  EXPECT_EQ(not_started.message, "cannot run: program 'nope' not found in PATH");
  EXPECT_EQ(exec_exit_code(not_started), 127);
}

TEST(ExecCallTest, AFailedEventIsACommandThatNeverRan) {
  RecordingListener l;
  ExecResult r = answer(l, head(200),
                        {R"({"event":"queued","position":0,"expected_wait_ms":0})",
                         R"({"event":"failed","message":"program 'nope' not found in PATH"})"});
  EXPECT_EQ(r.end, ExecEnd::kNotStarted);
  EXPECT_EQ(r.message, "cannot run: program 'nope' not found in PATH");
  EXPECT_EQ(exec_exit_code(r), 127);
}

TEST(ExecCallTest, AnAnswerCutShortIsAnError) {
  RecordingListener l;
  ExecResult lost = answer(l, head(200), {R"({"event":"started"})"},
                           core::Status::unavailable("connection to h:1 lost: reset"));
  EXPECT_EQ(lost.end, ExecEnd::kError);
  EXPECT_EQ(lost.message, "connection to h:1 lost: reset before the command ended");
  EXPECT_EQ(exec_exit_code(lost), 125);

  ExecResult ended = answer(l, head(200), {R"({"event":"started"})"});
  EXPECT_EQ(ended.message, "the server ended the answer before the command ended");

  ExecResult garbage = answer(l, head(200), {"not json"});
  EXPECT_EQ(garbage.message, "the server sent a line that is not an event: not json");

  ExecAnswer none(l);
  ExecResult unreachable = none.finish(core::Status::unavailable("cannot connect to h:1: refused"));
  EXPECT_EQ(unreachable.end, ExecEnd::kError);
  EXPECT_EQ(unreachable.message, "cannot connect to h:1: refused");
}

}  // namespace
}  // namespace gaia::cli
