// ProcessRunner with real processes: a small helper program (runner_test_helper) plays the
// commands. Timeouts are driven by a ManualClock that the output sink advances when the
// child says it is ready, so no test depends on how fast the machine is.

#include "exec/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <limits>
#include <thread>

#include "exec/detail/environment.h"
#include "exec/detail/supervision.h"
#include "monitor/cgroup_paths.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::exec {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kHelper = GAIA_RUNNER_HELPER;

// The real time, for the one test that lets a timeout expire by itself.
class SteadyClock : public core::Clock {
 public:
  core::MonoTime mono_now() const override { return std::chrono::steady_clock::now(); }
  core::WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

// Records every chunk, and calls `on_line` for each complete stdout line.
class RecordingSink : public OutputSink {
 public:
  struct Chunk {
    OutputStream stream;
    std::string bytes;
  };
  std::function<void(const std::string&)> on_line;
  std::function<void(const Chunk&)> on_chunk;
  std::vector<Chunk> chunks;

  void on_output(OutputStream stream, std::string_view bytes) override {
    chunks.push_back({stream, std::string(bytes)});
    if (on_chunk) on_chunk(chunks.back());
    if (stream != OutputStream::kStdout) return;
    pending_ += bytes;
    for (size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
      const std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (on_line) on_line(line);
    }
  }
  std::string joined(OutputStream stream) const {
    std::string out;
    for (const Chunk& c : chunks) {
      if (c.stream == stream) out += c.bytes;
    }
    return out;
  }

 private:
  std::string pending_;
};

RunSpec helper(std::vector<std::string> args) {
  RunSpec spec;
  spec.argv = {kHelper};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return spec;
}

// Options every test starts from: the supervisor of this build.
ProcessRunnerOptions supervised() {
  ProcessRunnerOptions o;
  o.supervisor_path = GAIA_SUPERVISOR;
  return o;
}

ProcessRunnerOptions no_cgroups() {
  ProcessRunnerOptions o = supervised();
  o.cgroups = CgroupMode::kOff;
  return o;
}

// Waits (bounded) until process `pid` has exited; false if it is still alive after 10 s.
// A pidfd becomes readable when the process exits, whoever its parent is.
bool exits_within_10s(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 10'000) == 1;
}

int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

class RunnerTest : public ::testing::Test {
 protected:
  testing::ManualClock clock_;
  ProcessRunner runner_{clock_, no_cgroups()};

  RunResult run_ok(const RunSpec& spec, OutputSink* sink = nullptr,
                   const CancelToken* cancel = nullptr) {
    auto r = runner_.run(spec, sink, cancel);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r.value() : RunResult{};
  }
};

TEST_F(RunnerTest, ReportsTheExitCode) {
  const RunResult r = run_ok(helper({"exit", "7"}));
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.cancelled);
  EXPECT_FALSE(r.cgroup_used);
  EXPECT_THAT(r.cgroup_note, HasSubstr("off"));
}

TEST_F(RunnerTest, ResolvesArgv0ThroughPath) {
  RunSpec spec;
  spec.argv = {"true"};
  EXPECT_EQ(run_ok(spec).exit_code, 0);
  spec.argv = {"false"};
  EXPECT_EQ(run_ok(spec).exit_code, 1);
}

TEST_F(RunnerTest, ReportsTheTerminatingSignal) {
  const RunResult r = run_ok(helper({"segv"}));
  EXPECT_EQ(r.term_signal, SIGSEGV);
  EXPECT_EQ(r.exit_code, -1);
}

TEST_F(RunnerTest, TimeoutKillsTheWholeProcessGroupIncludingAGrandchild) {
  RunSpec spec = helper({"grandchild"});
  spec.timeout = 10s;
  int grandchild_pidfd = -1;
  RecordingSink sink;
  sink.on_line = [&](const std::string& line) {
    ASSERT_EQ(line.rfind("grandchild ", 0), 0u) << line;
    grandchild_pidfd = open_pidfd(std::stoi(line.substr(11)));
    clock_.advance(11s);  // the grandchild exists: let the timeout pass
  };
  const RunResult r = run_ok(spec, &sink);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGTERM);
  ASSERT_GE(grandchild_pidfd, 0);
  EXPECT_TRUE(exits_within_10s(grandchild_pidfd));
  ::close(grandchild_pidfd);
}

TEST_F(RunnerTest, TimeoutEscalatesToSigkillAfterTheGracePeriod) {
  ProcessRunnerOptions options = no_cgroups();
  options.kill_grace = 1s;
  ProcessRunner runner(clock_, options);
  RunSpec spec = helper({"ignore-term"});
  spec.timeout = 5s;
  RecordingSink sink;
  std::vector<std::string> lines;
  sink.on_line = [&](const std::string& line) {
    lines.push_back(line);
    if (line == "ready") clock_.advance(6s);  // past the timeout: SIGTERM
    if (line == "term") clock_.advance(2s);   // ignored; past the grace: SIGKILL
  };
  auto r = runner.run(spec, &sink, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_EQ(lines, (std::vector<std::string>{"ready", "term"}));
  EXPECT_EQ(r->wall_duration, 8s);  // by the runner's clock, which the sink moved
}

TEST(RunnerRealClockTest, TimeoutExpiresOnTheRealClock) {
  SteadyClock clock;
  ProcessRunner runner(clock, no_cgroups());
  RunSpec spec = helper({"ready-sleep"});
  spec.timeout = 200ms;
  auto r = runner.run(spec, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->term_signal, SIGTERM);
  EXPECT_EQ(r->out.bytes, "ready\n");
}

TEST_F(RunnerTest, CancelFromAnotherThreadStopsTheRun) {
  CancelToken cancel;
  std::promise<void> ready;
  RecordingSink sink;
  sink.on_line = [&](const std::string& line) {
    if (line == "ready") ready.set_value();
  };
  std::thread canceller([&] {
    ready.get_future().wait();
    cancel.cancel();
  });
  const RunResult r = run_ok(helper({"ready-sleep"}), &sink, &cancel);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGTERM);
}

TEST_F(RunnerTest, ACancelledTokenStopsARunAtOnce) {
  CancelToken cancel;
  cancel.cancel();
  cancel.cancel();  // idempotent
  const RunResult r = run_ok(helper({"ready-sleep"}), nullptr, &cancel);
  EXPECT_TRUE(r.cancelled);
  EXPECT_NE(r.term_signal, 0);
}

TEST_F(RunnerTest, StdinIsDevNull) {
  EXPECT_EQ(run_ok(helper({"stdin"})).out.bytes, "devnull eof");
}

TEST_F(RunnerTest, EnvironmentIsTheAllowlistPlusExplicitEntries) {
  ProcessRunnerOptions options = no_cgroups();
  options.server_env =
      std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=/home/gaia",
                               "LC_ALL=C.UTF-8",     "DATABASE_URL=postgres://secret",
                               "GAIA_API_KEY=k",     "TERM=xterm",
                               "LD_PRELOAD=/evil.so"};
  ProcessRunner runner(clock_, options);
  RunSpec spec;
  spec.argv = {"env"};
  spec.env = {{"EXPLICIT", "yes"}, {"HOME", "/tmp/override"}};
  auto r = runner.run(spec, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::string& env = r->out.bytes;
  EXPECT_THAT(env, HasSubstr("PATH=/usr/bin:/bin\n"));
  EXPECT_THAT(env, HasSubstr("LC_ALL=C.UTF-8\n"));
  EXPECT_THAT(env, HasSubstr("TERM=xterm\n"));
  EXPECT_THAT(env, HasSubstr("EXPLICIT=yes\n"));
  EXPECT_THAT(env, HasSubstr("HOME=/tmp/override\n"));
  EXPECT_THAT(env, Not(HasSubstr("/home/gaia")));
  EXPECT_THAT(env, Not(HasSubstr("DATABASE_URL")));
  EXPECT_THAT(env, Not(HasSubstr("GAIA_API_KEY")));
  EXPECT_THAT(env, Not(HasSubstr("LD_PRELOAD")));
}

TEST(RunnerEnvTest, TheServersOwnEnvironmentIsFilteredToo) {
  ::setenv("GAIA_RUNNER_TEST_SECRET", "s3cret", 1);
  ::setenv("LC_MESSAGES", "C", 1);
  testing::ManualClock clock;
  ProcessRunner runner(clock, no_cgroups());  // reads environ now
  RunSpec spec;
  spec.argv = {"env"};
  auto r = runner.run(spec, nullptr, nullptr);
  ::unsetenv("GAIA_RUNNER_TEST_SECRET");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_THAT(r->out.bytes, HasSubstr("LC_MESSAGES=C\n"));
  EXPECT_THAT(r->out.bytes, Not(HasSubstr("s3cret")));
}

TEST_F(RunnerTest, RejectsAnInvalidEnvironmentName) {
  RunSpec spec = helper({"exit", "0"});
  spec.env = {{"BAD-NAME", "x"}};
  auto r = runner_.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("BAD-NAME"));
}

TEST_F(RunnerTest, RejectsAnEmptyArgv) {
  auto r = runner_.run(RunSpec{}, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
}

TEST_F(RunnerTest, RunsInTheGivenWorkingDirectory) {
  testing::TempDir dir;
  RunSpec spec;
  spec.argv = {"pwd"};
  spec.cwd = dir.path().string();
  EXPECT_EQ(run_ok(spec).out.bytes, std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST_F(RunnerTest, OutputPastTheCapIsCountedDroppedAndFlagged) {
  RunSpec spec = helper({"spew", "300000", "10"});
  spec.output_cap_bytes = 1000;
  RecordingSink sink;
  const RunResult r = run_ok(spec, &sink);
  EXPECT_EQ(r.exit_code, 0);  // the child never blocked on a full pipe
  EXPECT_EQ(r.out.bytes, std::string(1000, 'o'));
  EXPECT_TRUE(r.out.truncated);
  EXPECT_EQ(r.out.total_bytes, 300000);
  EXPECT_EQ(r.err.bytes, std::string(10, 'e'));
  EXPECT_FALSE(r.err.truncated);
  // The sink saw exactly what was kept.
  EXPECT_EQ(sink.joined(OutputStream::kStdout), r.out.bytes);
  EXPECT_EQ(sink.joined(OutputStream::kStderr), r.err.bytes);
}

TEST_F(RunnerTest, TheSinkGetsEachChunkAsItComes) {
  // The child writes one chunk per SIGUSR1, which the sink sends after each chunk it gets:
  // the order of chunks across both streams is the order they were written in.
  RecordingSink sink;
  pid_t child = 0;
  sink.on_chunk = [&](const RecordingSink::Chunk& c) {
    if (child == 0) child = std::stoi(c.bytes);
    // Only for the first two chunks: after the third the child exits and may be reaped.
    if (sink.chunks.size() < 3) ::kill(child, SIGUSR1);
  };
  const RunResult r = run_ok(helper({"pingpong"}), &sink);
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_EQ(sink.chunks.size(), 3u);
  EXPECT_EQ(sink.chunks[0].stream, OutputStream::kStdout);
  EXPECT_EQ(sink.chunks[1].stream, OutputStream::kStderr);
  EXPECT_EQ(sink.chunks[1].bytes, "e1");
  EXPECT_EQ(sink.chunks[2].stream, OutputStream::kStdout);
  EXPECT_EQ(sink.chunks[2].bytes, "o2");
}

TEST_F(RunnerTest, AnAddressSpaceLimitMakesABigAllocationFail) {
  RunSpec spec = helper({"alloc", "512"});
  spec.limits.address_space_bytes = 256LL << 20;
  const RunResult r = run_ok(spec);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.bytes, "alloc failed\n");
  EXPECT_FALSE(r.memory_limit_hit);  // not knowable under RLIMIT_AS
  // Without the limit the same allocation succeeds.
  EXPECT_EQ(run_ok(helper({"alloc", "512"})).exit_code, 0);
}

TEST_F(RunnerTest, ACpuTimeLimitStopsABusyLoopWithSigxcpu) {
  RunSpec spec = helper({"spin"});
  spec.limits.cpu_seconds = 1;
  const RunResult r = run_ok(spec);
  EXPECT_EQ(r.term_signal, SIGXCPU);
  EXPECT_GT(r.user_cpu + r.system_cpu, 0us);  // rusage samples: it may read under 1 s
}

TEST_F(RunnerTest, AnOpenFilesLimitApplies) {
  RunSpec spec;
  spec.argv = {"sh", "-c", "ulimit -n"};
  spec.limits.open_files = 17;
  EXPECT_EQ(run_ok(spec).out.bytes, "17\n");
}

TEST_F(RunnerTest, AProcessLimitStopsForksWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "RLIMIT_NPROC does not bind root; see the cgroup test";
  RunSpec spec = helper({"fork", "3"});
  spec.limits.max_processes = 1;  // the user already has at least this process
  const RunResult r = run_ok(spec);
  EXPECT_EQ(r.exit_code, 4) << r.out.bytes;
}

TEST_F(RunnerTest, RusageReportsCpuTimeAndPeakMemory) {
  const RunResult r = run_ok(helper({"burn-alloc", "200", "64"}));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_GT(r.user_cpu + r.system_cpu, 0us);
  EXPECT_GE(r.peak_rss_bytes, 64LL << 20);
  EXPECT_LT(r.peak_rss_bytes, 128LL << 20);
}

TEST_F(RunnerTest, AMissingProgramIsASpawnError) {
  RunSpec spec;
  spec.argv = {"gaia-no-such-program"};
  auto r = runner_.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("gaia-no-such-program"));

  spec.argv = {"/nonexistent/gaia-program"};
  r = runner_.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
}

TEST_F(RunnerTest, ANonExecutableFileIsASpawnError) {
  testing::TempDir dir;
  const std::string file = dir.file("script");
  std::ofstream(file) << "#!/bin/sh\nexit 0\n";
  ::chmod(file.c_str(), 0644);
  RunSpec spec;
  spec.argv = {file};
  auto r = runner_.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("Permission denied"));
}

TEST_F(RunnerTest, AMissingWorkingDirectoryIsASpawnError) {
  RunSpec spec = helper({"exit", "0"});
  spec.cwd = "/nonexistent/gaia-dir";
  auto r = runner_.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("cwd"));
}

TEST_F(RunnerTest, ConcurrentRunsOnManyThreadsAreIndependent) {
  std::vector<std::thread> threads;
  std::vector<int> codes(8, -1);
  std::vector<std::string> outs(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      RunSpec spec = helper({"spew", std::to_string(1000 * (i + 1)), "0"});
      auto r = runner_.run(spec, nullptr, nullptr);
      if (r.ok()) {
        codes[i] = r->exit_code;
        outs[i] = r->out.bytes;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(codes[i], 0);
    EXPECT_EQ(outs[i].size(), static_cast<size_t>(1000 * (i + 1)));
  }
}

int open_fd_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_F(RunnerTest, RunsLeaveNoFileDescriptorsOpen) {
  const int before = open_fd_count();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(run_ok(helper({"spew", "10", "10"})).exit_code, 0);
    RunSpec missing;
    missing.argv = {"/nonexistent/gaia-program"};
    EXPECT_FALSE(runner_.run(missing, nullptr, nullptr).ok());
    RunSpec bad_cwd = helper({"exit", "0"});
    bad_cwd.cwd = "/nonexistent";
    EXPECT_FALSE(runner_.run(bad_cwd, nullptr, nullptr).ok());
    CancelToken cancel;
    cancel.cancel();
    EXPECT_TRUE(run_ok(helper({"ready-sleep"}), nullptr, &cancel).cancelled);
  }
  EXPECT_EQ(open_fd_count(), before);
}

// --- containment, metering and accounts: what a command starts never outlives it; its
// figures are its own; it never runs with more privilege than its account.

// What pidfd_of_reported_process() returns when the reported process was already gone (killed
// and reaped) when its line was read: a busy machine may read the line after the command ended.
constexpr int kGone = -2;

// True when the process of `pidfd` (or kGone) exits within 10 s; closes the pidfd.
bool gone_within_10s(int pidfd) {
  if (pidfd == kGone) return true;
  const bool exited = exits_within_10s(pidfd);
  ::close(pidfd);
  return exited;
}

// Runs `spec`, expecting its first stdout line to be "<word> <pid>", and returns a pidfd of
// that pid, or kGone when no process has that pid any more (a pid the process reported itself
// is not reused within the moments it takes to read the line).
int pidfd_of_reported_process(ProcessRunner& runner, const RunSpec& spec, const std::string& word,
                              RunResult* result) {
  RecordingSink sink;
  int pidfd = -1;
  sink.on_line = [&](const std::string& line) {
    if (pidfd < 0 && line.rfind(word + " ", 0) == 0) {
      pidfd = open_pidfd(std::stoi(line.substr(word.size() + 1)));
      if (pidfd < 0 && errno == ESRCH) pidfd = kGone;
    }
  };
  auto r = runner.run(spec, &sink, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (r.ok()) *result = r.value();
  return pidfd;
}

TEST_F(RunnerTest, AProcessThatLeftTheGroupIsKilledWithoutACgroup) {
  RunResult r;
  const int escaped = pidfd_of_reported_process(runner_, helper({"escape"}), "escaped", &r);
  EXPECT_FALSE(r.cgroup_used);
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_NE(escaped, -1);
  EXPECT_TRUE(gone_within_10s(escaped));
}

TEST_F(RunnerTest, ADaemonAShellStartedWithSetsidIsGoneWhenTheCommandEnds) {
  RunSpec spec;
  spec.argv = {"/bin/sh", "-c", "setsid sleep 777 & echo daemon $!"};
  RunResult r;
  const int daemon = pidfd_of_reported_process(runner_, spec, "daemon", &r);
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_NE(daemon, -1);
  EXPECT_TRUE(gone_within_10s(daemon));
}

TEST_F(RunnerTest, PeakMemoryIsTheCommandsOwnNotTheServers) {
  // Make this process (the "server") big first: 256 MiB touched.
  constexpr size_t kServerBytes = 256u << 20;
  std::vector<char> ballast(kServerBytes);
  for (size_t i = 0; i < ballast.size(); i += 4096) ballast[i] = 1;
  const RunResult r = run_ok(helper({"exit", "0"}));
  EXPECT_GT(r.peak_rss_bytes, 0);
  EXPECT_LT(r.peak_rss_bytes, 64LL << 20);
  EXPECT_EQ(ballast[4096], 1);
}

TEST_F(RunnerTest, CommandsRunWithNoNewPrivileges) {
  const RunResult r = run_ok(helper({"whoami"}));
  EXPECT_THAT(r.out.bytes, HasSubstr("nnp=1")) << r.out.bytes;
}

TEST_F(RunnerTest, RejectsLimitsBeyondTheirBounds) {
  RunSpec spec = helper({"exit", "0"});
  spec.limits.cpu_seconds = std::numeric_limits<int64_t>::max();
  auto r = runner_.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("limits.cpu_seconds"));

  spec = helper({"exit", "0"});
  spec.cpu_limit_millicores = std::numeric_limits<int64_t>::max();
  r = runner_.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("cpu_limit_millicores"));
}

TEST_F(RunnerTest, AMissingSupervisorIsReportedAndNothingRuns) {
  ProcessRunnerOptions options = no_cgroups();
  options.supervisor_path = "/nonexistent/gaia_supervisor";
  ProcessRunner runner(clock_, options);
  EXPECT_EQ(runner.status().code(), core::StatusCode::kNotFound);
  auto r = runner.run(helper({"exit", "0"}), nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("/nonexistent/gaia_supervisor"));
}

// Switching accounts needs root: these run where the tests run as root, and are skipped
// elsewhere (a server that is not root runs commands as itself, tested above).
class RunnerAccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "switching accounts needs root";
  }
  static uid_t uid_of(const std::string& name) {
    const passwd* entry = ::getpwnam(name.c_str());
    return entry == nullptr ? 0 : entry->pw_uid;
  }
  static ProcessRunnerOptions as(const std::string& account, CgroupMode mode) {
    ProcessRunnerOptions o = supervised();
    o.cgroups = mode;
    o.exec_user = account;
    return o;
  }
  testing::ManualClock clock_;
};

TEST_F(RunnerAccountTest, ARootServerRunsCommandsAsTheAccountWithNoNewPrivileges) {
  for (CgroupMode mode : {CgroupMode::kOff, CgroupMode::kAuto}) {
    ProcessRunner runner(clock_, as("nobody", mode));
    ASSERT_TRUE(runner.status().ok()) << runner.status().message();
    EXPECT_TRUE(runner.run_as().switching);
    EXPECT_FALSE(runner.run_as().root);
    EXPECT_EQ(runner.run_as().user, "nobody");
    auto r = runner.run(helper({"whoami"}), nullptr, nullptr);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->exit_code, 0) << r->err.bytes;
    EXPECT_THAT(r->out.bytes, HasSubstr("uid=" + std::to_string(uid_of("nobody")) + " "));
    EXPECT_THAT(r->out.bytes, Not(HasSubstr("uid=0 ")));
    EXPECT_THAT(r->out.bytes, HasSubstr("nnp=1"));
  }
}

TEST_F(RunnerAccountTest, TheAccountsDaemonIsGoneWhenTheCommandEndsWithOrWithoutACgroup) {
  for (CgroupMode mode : {CgroupMode::kOff, CgroupMode::kAuto}) {
    ProcessRunner runner(clock_, as("nobody", mode));
    RunResult r;
    const int escaped = pidfd_of_reported_process(runner, helper({"escape"}), "escaped", &r);
    EXPECT_EQ(r.exit_code, 0);
    ASSERT_NE(escaped, -1);
    EXPECT_TRUE(gone_within_10s(escaped));
  }
}

TEST_F(RunnerAccountTest, TheAccountsHomeAndNameReplaceTheServers) {
  ProcessRunner runner(clock_, as("nobody", CgroupMode::kOff));
  RunSpec spec;
  spec.argv = {"/usr/bin/env"};
  auto r = runner.run(spec, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_THAT(r->out.bytes, HasSubstr("USER=nobody\n"));
  EXPECT_THAT(r->out.bytes, HasSubstr("LOGNAME=nobody\n"));
  EXPECT_THAT(r->out.bytes, HasSubstr("HOME=" + std::string(::getpwnam("nobody")->pw_dir)));
}

TEST_F(RunnerAccountTest, AUserMappedToAnAccountRunsAsThatAccount) {
  ProcessRunnerOptions options = as("nobody", CgroupMode::kOff);
  options.user_accounts = {{"alice", "daemon"}};
  ProcessRunner runner(clock_, options);
  ASSERT_TRUE(runner.status().ok()) << runner.status().message();
  EXPECT_EQ(runner.run_as().mapped_users, 1u);
  RunSpec spec = helper({"whoami"});
  spec.owner = "alice";
  auto alice = runner.run(spec, nullptr, nullptr);
  spec.owner = "bob";
  auto bob = runner.run(spec, nullptr, nullptr);
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_THAT(alice->out.bytes, HasSubstr("uid=" + std::to_string(uid_of("daemon")) + " "));
  EXPECT_THAT(bob->out.bytes, HasSubstr("uid=" + std::to_string(uid_of("nobody")) + " "));
}

TEST_F(RunnerAccountTest, ACwdTheAccountCannotEnterIsAClearError) {
  testing::TempDir dir;
  const std::string closed = dir.file("closed");
  std::filesystem::create_directory(closed);
  ::chmod(closed.c_str(), 0700);  // root's alone
  ProcessRunner runner(clock_, as("nobody", CgroupMode::kOff));
  RunSpec spec = helper({"exit", "0"});
  spec.cwd = closed;
  auto r = runner.run(spec, nullptr, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("cannot enter cwd '" + closed + "' as nobody"));
}

TEST_F(RunnerAccountTest, AMissingAccountStopsTheRunnerWithItsName) {
  ProcessRunner runner(clock_, as("gaia-no-such-account", CgroupMode::kOff));
  EXPECT_EQ(runner.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(runner.status().message(), HasSubstr("gaia-no-such-account"));
  EXPECT_FALSE(runner.run(helper({"exit", "0"}), nullptr, nullptr).ok());
}

TEST_F(RunnerAccountTest, RootOnlyWhenConfiguredSoAndThenSaidSo) {
  ProcessRunner runner(clock_, as("root", CgroupMode::kOff));
  ASSERT_TRUE(runner.status().ok()) << runner.status().message();
  EXPECT_TRUE(runner.run_as().root);
  EXPECT_THAT(runner.run_as().note, HasSubstr("root"));
  auto r = runner.run(helper({"whoami"}), nullptr, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->out.bytes, HasSubstr("uid=0 "));
  EXPECT_THAT(r->out.bytes, HasSubstr("nnp=1"));
}

// --- cgroups: run where this machine lets the runner create them, skipped elsewhere.

class RunnerCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_ = std::make_unique<ProcessRunner>(clock_, supervised());
    if (!runner_->cgroups_available()) GTEST_SKIP() << "no cgroups: " << runner_->cgroup_note();
  }
  testing::ManualClock clock_;
  std::unique_ptr<ProcessRunner> runner_;
};

TEST_F(RunnerCgroupTest, AMemoryLimitOomKillsAndIsReported) {
  RunSpec spec = helper({"alloc", "512"});
  spec.memory_limit_bytes = 64LL << 20;
  auto r = runner_->run(spec, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->cgroup_used) << r->cgroup_note;
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_TRUE(r->memory_limit_hit);
  ASSERT_TRUE(r->cgroup_peak_memory_bytes.has_value());
  EXPECT_LE(*r->cgroup_peak_memory_bytes, 64LL << 20);
}

TEST_F(RunnerCgroupTest, ReportsPeakMemoryAndCpuAndRemovesTheCgroup) {
  auto r = runner_->run(helper({"burn-alloc", "200", "64"}), nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->cgroup_used) << r->cgroup_note;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->memory_limit_hit);
  ASSERT_TRUE(r->cgroup_peak_memory_bytes.has_value());
  EXPECT_GE(*r->cgroup_peak_memory_bytes, 64LL << 20);
  EXPECT_GT(r->user_cpu + r->system_cpu, 0us);
  // No gaia-cmd-<our pid>-* directory is left in our own cgroups.
  std::ifstream self("/proc/self/cgroup");
  std::ifstream mounts("/proc/self/mountinfo");
  std::stringstream a, b;
  a << self.rdbuf();
  b << mounts.rdbuf();
  const auto found = monitor::parse_own_cgroup_dirs(a.str(), b.str());
  ASSERT_TRUE(found.ok()) << found.status().message();
  const monitor::OwnCgroupDirs& paths = found.value();
  const std::string prefix = "gaia-cmd-" + std::to_string(::getpid()) + "-";
  std::vector<std::string> dirs;
  if (paths.v2) dirs.push_back(*paths.v2);
  for (const auto& [controller, dir] : paths.v1) dirs.push_back(dir);
  for (const std::string& dir : dirs) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      EXPECT_NE(entry.path().filename().string().rfind(prefix, 0), 0u) << entry.path();
    }
  }
}

TEST_F(RunnerCgroupTest, AProcessLimitStopsForksEvenForRoot) {
  RunSpec spec = helper({"fork", "10"});
  spec.limits.max_processes = 4;
  auto r = runner_->run(spec, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  if (!r->cgroup_used) GTEST_SKIP() << "no pids controller: " << r->cgroup_note;
  EXPECT_EQ(r->exit_code, 4) << r->out.bytes;
}

TEST_F(RunnerCgroupTest, AProcessThatLeftTheGroupIsKilledThroughTheCgroup) {
  RunResult r;
  const int escaped = pidfd_of_reported_process(*runner_, helper({"escape"}), "escaped", &r);
  ASSERT_TRUE(r.cgroup_used) << r.cgroup_note;
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_NE(escaped, -1);
  EXPECT_TRUE(gone_within_10s(escaped));
}

TEST(RunnerCgroupFallbackTest, AProcRootWithoutCgroupsFallsBackToRlimits) {
  testing::TempDir proc;
  std::filesystem::create_directories(proc.path() / "self");
  std::ofstream(proc.file("self/cgroup")) << "0::/\n";
  std::ofstream(proc.file("self/mountinfo")) << "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n";
  testing::ManualClock clock;
  ProcessRunnerOptions options = supervised();
  options.proc_root = proc.path().string();
  ProcessRunner runner(clock, options);
  EXPECT_FALSE(runner.cgroups_available());
  RunSpec spec = helper({"exit", "0"});
  spec.memory_limit_bytes = 64LL << 20;
  auto r = runner.run(spec, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->cgroup_used);
  EXPECT_THAT(r->cgroup_note, HasSubstr("no cgroup"));
}

// A fake cgroup v2 tree: a plain directory the runner takes for its own cgroup.
class FakeCgroupV2 {
 public:
  FakeCgroupV2() {
    std::filesystem::create_directories(root_.path() / "proc/self");
    std::filesystem::create_directories(root_.path() / "cg/app");
    std::ofstream(root_.file("proc/self/cgroup")) << "0::/app\n";
    std::ofstream(root_.file("proc/self/mountinfo"))
        << "30 23 0:26 / " << root_.file("cg") << " rw - cgroup2 cgroup2 rw\n";
    std::ofstream(root_.file("cg/app/cgroup.controllers")) << "cpuset cpu io memory pids\n";
    std::ofstream(root_.file("cg/app/cgroup.subtree_control")) << "";
  }
  std::string proc_root() const { return root_.file("proc"); }
  std::string dir() const { return root_.file("cg/app"); }
  std::string file(const std::string& name) const { return dir() + "/" + name; }

 private:
  testing::TempDir root_;
};

TEST(RunnerCgroupV2Test, EnablesMemoryCpuAndPidsForCommandCgroups) {
  FakeCgroupV2 fake;
  testing::ManualClock clock;
  ProcessRunnerOptions options = supervised();
  options.proc_root = fake.proc_root();
  ProcessRunner runner(clock, options);
  EXPECT_TRUE(runner.cgroups_available()) << runner.cgroup_note();
  EXPECT_EQ(runner.cgroup_note(), "cgroup v2 at " + fake.dir());
  std::ifstream in(fake.file("cgroup.subtree_control"));
  std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, "+cpu +memory +pids");
}

TEST(RunnerCgroupV2Test, RemovesCommandCgroupsOfServersThatAreGone) {
  FakeCgroupV2 fake;
  // pid_max is at most 2^22: no process has this pid.
  std::filesystem::create_directories(fake.file("gaia-cmd-999999999-3"));
  const std::string mine = "gaia-cmd-" + std::to_string(::getpid()) + "-77";
  std::filesystem::create_directories(fake.file(mine));
  std::filesystem::create_directories(fake.file("gaia-server"));
  std::filesystem::create_directories(fake.file("gaia-cmd-999999998-0"));
  std::ofstream(fake.file("gaia-cmd-999999998-0/cgroup.procs")) << "1\n";  // still populated
  testing::ManualClock clock;
  ProcessRunnerOptions options = supervised();
  options.proc_root = fake.proc_root();
  ProcessRunner runner(clock, options);
  EXPECT_FALSE(std::filesystem::exists(fake.file("gaia-cmd-999999999-3")));
  EXPECT_TRUE(std::filesystem::exists(fake.file(mine)));  // a live server's
  EXPECT_TRUE(std::filesystem::exists(fake.file("gaia-server")));
  EXPECT_TRUE(std::filesystem::exists(fake.file("gaia-cmd-999999998-0")));  // not ours to kill
}

TEST(RunnerCgroupV2Test, ARunFallsBackToRlimitsWhenItsCgroupCannotBeMade) {
  FakeCgroupV2 fake;  // a plain directory: no memory.max appears in a new child
  testing::ManualClock clock;
  ProcessRunnerOptions options = supervised();
  options.proc_root = fake.proc_root();
  ProcessRunner runner(clock, options);
  ASSERT_TRUE(runner.cgroups_available()) << runner.cgroup_note();
  RunSpec spec = helper({"exit", "5"});
  spec.memory_limit_bytes = 64LL << 20;
  auto r = runner.run(spec, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 5);
  EXPECT_FALSE(r->cgroup_used);
  EXPECT_THAT(r->cgroup_note, HasSubstr("memory.max"));
  // The half-made cgroup is gone.
  for (const auto& entry : std::filesystem::directory_iterator(fake.dir())) {
    EXPECT_FALSE(entry.is_directory()) << entry.path();
  }
}

// --- environment and PATH lookup

TEST(SupervisionTest, ASetupSurvivesTheSupervisorsArguments) {
  detail::CommandSetup setup;
  setup.credentials = detail::Credentials{999, 995, {995, 27}};
  setup.rlimits = {{RLIMIT_CPU, {10, 11}}, {RLIMIT_NOFILE, {RLIM_INFINITY, RLIM_INFINITY}}};
  setup.cwd = "/srv/a dir=with -- odd=names";
  setup.path = "/bin/echo";
  setup.argv = {"echo", "--", "--uid=0", ""};
  const std::vector<std::string> args = detail::encode_setup("/x/gaia_supervisor", setup);
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  auto decoded = detail::decode_setup(static_cast<int>(argv.size()), argv.data());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  ASSERT_TRUE(decoded->credentials.has_value());
  EXPECT_EQ(decoded->credentials->uid, 999u);
  EXPECT_EQ(decoded->credentials->gid, 995u);
  EXPECT_EQ(decoded->credentials->groups, (std::vector<gid_t>{995, 27}));
  ASSERT_EQ(decoded->rlimits.size(), 2u);
  EXPECT_EQ(decoded->rlimits[0].resource, RLIMIT_CPU);
  EXPECT_EQ(decoded->rlimits[0].value.rlim_max, 11u);
  EXPECT_EQ(decoded->rlimits[1].value.rlim_cur, RLIM_INFINITY);
  EXPECT_EQ(decoded->cwd, setup.cwd);
  EXPECT_EQ(decoded->path, setup.path);
  EXPECT_EQ(decoded->argv, setup.argv);
}

TEST(SupervisionTest, RefusesArgumentsTheRunnerNeverMakes) {
  for (const std::vector<const char*>& argv : std::vector<std::vector<const char*>>{
           {"s"},
           {"s", "--"},
           {"s", "--", "/bin/true"},
           {"s", "--uid=1", "--", "/bin/true", "true"},
           {"s", "--uid=x", "--gid=1", "--groups=", "--", "/bin/true", "true"},
           {"s", "--rlimit=1:2", "--", "/bin/true", "true"},
           {"s", "--what", "--", "/bin/true", "true"}}) {
    EXPECT_FALSE(detail::decode_setup(static_cast<int>(argv.size()), argv.data()).ok())
        << argv.size();
  }
}

TEST(RunnerEnvironmentTest, LooksUpProgramsLikeExecvp) {
  EXPECT_EQ(detail::resolve_program("sh", std::string("/nonexistent:/bin"), std::nullopt).value(),
            "/bin/sh");
  EXPECT_EQ(detail::resolve_program("./x", std::nullopt, std::string("/w")).value(), "/w/./x");
  EXPECT_EQ(
      detail::resolve_program("sh", std::string("/nonexistent"), std::nullopt).status().code(),
      core::StatusCode::kNotFound);
}

TEST(RunnerEnvironmentTest, AllowsOnlyTheListedNames) {
  for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "USER"}) {
    EXPECT_TRUE(detail::is_allowed_env_name(name)) << name;
  }
  for (const char* name : {"LC_", "LD_PRELOAD", "PATHX", "SHELL", "DATABASE_URL"}) {
    EXPECT_FALSE(detail::is_allowed_env_name(name)) << name;
  }
  EXPECT_TRUE(detail::is_valid_env_name("_A1"));
  EXPECT_FALSE(detail::is_valid_env_name("1A"));
  EXPECT_FALSE(detail::is_valid_env_name("A=B"));
  EXPECT_FALSE(detail::is_valid_env_name(""));
}

}  // namespace
}  // namespace gaia::exec
