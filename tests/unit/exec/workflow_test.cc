#include "exec/workflow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

namespace gaia::exec {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Fakes.

WorkflowTask task(std::string name, std::vector<std::string> depends_on = {}) {
  WorkflowTask t;
  t.name = std::move(name);
  t.type = "shell";
  t.argv = {"true"};
  t.depends_on = std::move(depends_on);
  return t;
}

Workflow workflow(std::vector<WorkflowTask> tasks, int parallelism = 1,
                  OnFailure on_failure = OnFailure::kStop) {
  return Workflow{"wf", parallelism, on_failure, std::move(tasks)};
}

// Runs every task at once with the outcome set for its name (success by default), recording
// the start and end of each.
class RecordingRunner : public TaskRunner {
 public:
  std::map<std::string, TaskOutcome> outcomes;
  std::set<std::string> throws;

  TaskOutcome run(const WorkflowTask& t) override {
    {
      std::lock_guard lock(mu_);
      events_.push_back("start " + t.name);
    }
    if (throws.count(t.name)) throw std::runtime_error("boom");
    auto it = outcomes.find(t.name);
    TaskOutcome out = it != outcomes.end() ? it->second : TaskOutcome{true, 0, "", false};
    std::lock_guard lock(mu_);
    events_.push_back("end " + t.name);
    return out;
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> started() {
    std::vector<std::string> out;
    for (const auto& e : events()) {
      if (e.rfind("start ", 0) == 0) out.push_back(e.substr(6));
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> events_;
};

// Holds every task until the test releases it with an outcome, so the test sees exactly which
// tasks run at the same time. Waits are bounded so a broken engine fails instead of hanging.
class GatedRunner : public TaskRunner {
 public:
  TaskOutcome run(const WorkflowTask& t) override {
    std::unique_lock lock(mu_);
    started_.push_back(t.name);
    ++running_;
    max_running_ = std::max(max_running_, running_);
    cv_.notify_all();
    // Bounded, so a broken engine fails the test instead of hanging it.
    bool released = cv_.wait_for(lock, 30s, [&] { return released_.count(t.name) > 0; });
    --running_;
    if (!released) return TaskOutcome{false, -1, "never released", false};
    return released_[t.name];
  }

  // Waits until `count` tasks have started; false after a generous bound.
  bool wait_started(size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 30s, [&] { return started_.size() >= count; });
  }
  void release(const std::string& name, TaskOutcome outcome = {true, 0, "", false}) {
    std::lock_guard lock(mu_);
    released_[name] = std::move(outcome);
    cv_.notify_all();
  }
  std::vector<std::string> started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  std::set<std::string> started_set() {
    std::lock_guard lock(mu_);
    return {started_.begin(), started_.end()};
  }
  int running() {
    std::lock_guard lock(mu_);
    return running_;
  }
  // A TaskObserver that records settled tasks, for wait_settled.
  TaskObserver observer() {
    return [this](const TaskResult& r) {
      std::lock_guard lock(mu_);
      settled_.push_back(r.name);
      cv_.notify_all();
    };
  }
  bool wait_settled(const std::string& name) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 30s, [&] {
      return std::find(settled_.begin(), settled_.end(), name) != settled_.end();
    });
  }
  int max_running() {
    std::lock_guard lock(mu_);
    return max_running_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> started_;
  std::map<std::string, TaskOutcome> released_;
  std::vector<std::string> settled_;
  int running_ = 0;
  int max_running_ = 0;
};

const TaskResult& result_of(const WorkflowResult& r, const std::string& name) {
  auto it = std::find_if(r.tasks.begin(), r.tasks.end(),
                         [&](const TaskResult& t) { return t.name == name; });
  if (it == r.tasks.end()) throw std::runtime_error("no result for " + name);
  return *it;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

TEST(WorkflowParseTest, ReadsEveryField) {
  auto wf = parse_workflow(R"(
name: build
parallelism: 2
on_failure: continue
tasks:
  - name: compile
    type: code
    argv: [make, -j2]
    depends_on: []
    cwd: /src
    timeout_s: 1.5
    env: {CC: gcc, LEVEL: 3}
  - name: test
    type: test
    argv:
      - ctest
      - --output-on-failure
    depends_on: [compile]
)");
  ASSERT_TRUE(wf.ok()) << wf.status().message();
  EXPECT_EQ(wf->name, "build");
  EXPECT_EQ(wf->parallelism, 2);
  EXPECT_EQ(wf->on_failure, OnFailure::kContinue);
  ASSERT_EQ(wf->tasks.size(), 2u);
  const WorkflowTask& compile = wf->tasks[0];
  EXPECT_EQ(compile.name, "compile");
  EXPECT_EQ(compile.type, "code");
  EXPECT_EQ(compile.argv, (std::vector<std::string>{"make", "-j2"}));
  EXPECT_TRUE(compile.depends_on.empty());
  EXPECT_EQ(compile.cwd, "/src");
  EXPECT_EQ(compile.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(compile.env, (std::map<std::string, std::string>{{"CC", "gcc"}, {"LEVEL", "3"}}));
  EXPECT_EQ(wf->tasks[1].depends_on, std::vector<std::string>{"compile"});
}

TEST(WorkflowParseTest, OptionalFieldsTakeTheirDefaults) {
  auto wf = parse_workflow("name: w\ntasks:\n  - {name: a, type: shell, argv: [ls]}\n");
  ASSERT_TRUE(wf.ok()) << wf.status().message();
  EXPECT_EQ(wf->parallelism, 1);
  EXPECT_EQ(wf->on_failure, OnFailure::kStop);
  EXPECT_FALSE(wf->tasks[0].cwd.has_value());
  EXPECT_FALSE(wf->tasks[0].timeout.has_value());
  EXPECT_TRUE(wf->tasks[0].env.empty());
}

// The error message of parsing `yaml`, or "" if it parsed.
std::string error_of(const std::string& yaml) {
  auto wf = parse_workflow(yaml);
  if (wf.ok()) return "";
  EXPECT_EQ(wf.status().code(), core::StatusCode::kInvalidArgument);
  return wf.status().message();
}

const char* kHead = "name: w\ntasks:\n";

TEST(WorkflowParseTest, UnknownTaskFieldIsNamedWithItsTask) {
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: shell, argv: [ls], retries: 3}\n"),
            "task 'a': unknown field 'retries'");
}

TEST(WorkflowParseTest, UnknownWorkflowFieldIsNamed) {
  EXPECT_EQ(error_of("name: w\nmax_parallel: 3\ntasks:\n  - {name: a, type: shell, argv: [ls]}\n"),
            "workflow: unknown field 'max_parallel'");
}

TEST(WorkflowParseTest, ArgvMustBeANonEmptyListOfStrings) {
  const std::string want = "task 'a': argv must be a non-empty list of strings";
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: shell, argv: ls -l}\n"), want);
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: shell, argv: []}\n"), want);
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: shell, argv: [ls, {x: 1}]}\n"),
            want);
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: shell}\n"),
            "task 'a': argv is required");
}

TEST(WorkflowParseTest, TaskWithoutANameIsNamedByPosition) {
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: shell, argv: [ls]}\n" +
                     "  - {type: shell, argv: [ls]}\n"),
            "tasks[1]: name is required");
}

TEST(WorkflowParseTest, RejectsBadScalars) {
  EXPECT_EQ(error_of("name: w\nparallelism: 0\ntasks:\n  - {name: a, type: shell, argv: [ls]}\n"),
            "workflow: parallelism must be an integer >= 1");
  EXPECT_EQ(error_of("name: w\nparallelism: two\ntasks:\n  - {name: a, type: s, argv: [ls]}\n"),
            "workflow: parallelism must be an integer >= 1");
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: s, argv: [ls], timeout_s: -1}\n"),
            "task 'a': timeout_s must be a number of seconds > 0");
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: s, argv: [ls], env: [A]}\n"),
            "task 'a': env must be a mapping of names to strings");
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, argv: [ls]}\n"),
            "task 'a': type is required");
  EXPECT_EQ(error_of("name: w\non_failure: maybe\ntasks:\n  - {name: a, type: s, argv: [ls]}\n"),
            "workflow: on_failure must be \"stop\" or \"continue\"");
  EXPECT_EQ(error_of("name: w\n"), "workflow: tasks is required");
  EXPECT_EQ(error_of("tasks:\n  - {name: a, type: s, argv: [ls]}\n"), "workflow: name is required");
  EXPECT_EQ(error_of("- just\n- a list\n"), "workflow: the document must be a mapping");
}

TEST(WorkflowParseTest, DuplicateTaskNamesAreRejected) {
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: s, argv: [ls]}\n" +
                     "  - {name: a, type: s, argv: [pwd]}\n"),
            "task 'a': name is used by more than one task");
}

TEST(WorkflowParseTest, UnknownDependencyIsNamed) {
  EXPECT_EQ(
      error_of(std::string(kHead) + "  - {name: a, type: s, argv: [ls], depends_on: [lint]}\n"),
      "task 'a': depends_on names unknown task 'lint'");
}

TEST(WorkflowParseTest, CycleIsReportedAsItsPath) {
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: s, argv: [ls], depends_on: [c]}\n" +
                     "  - {name: b, type: s, argv: [ls], depends_on: [a]}\n" +
                     "  - {name: c, type: s, argv: [ls], depends_on: [b]}\n"),
            "workflow: depends_on forms a cycle: a -> c -> b -> a");
}

TEST(WorkflowParseTest, SelfDependencyIsACycle) {
  EXPECT_EQ(error_of(std::string(kHead) + "  - {name: a, type: s, argv: [ls], depends_on: [a]}\n"),
            "workflow: depends_on forms a cycle: a -> a");
}

TEST(WorkflowParseTest, SyntaxErrorsGiveTheLine) {
  std::string msg = error_of("name: w\ntasks:\n  - {name: a, type: s, argv: [ls}\n");
  EXPECT_EQ(msg.rfind("line 3", 0), 0u) << msg;
}

TEST(WorkflowParseTest, LoadsAFile) {
  testing::TempDir dir;
  {
    std::ofstream out(dir.file("wf.yaml"));
    out << "name: from-file\ntasks:\n  - {name: a, type: shell, argv: [ls]}\n";
  }
  auto wf = load_workflow_file(dir.file("wf.yaml"));
  ASSERT_TRUE(wf.ok()) << wf.status().message();
  EXPECT_EQ(wf->name, "from-file");
  auto missing = load_workflow_file(dir.file("none.yaml"));
  EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
}

// A workflow of `tasks` tasks, the first with an 876 KB argv that every other names by alias:
// with 3,000 tasks, about 1 MB of text that would expand to some 2.6 GB.
std::string aliased_workflow(size_t tasks) {
  std::string text = "name: w\ntasks:\n  - {name: t0, type: shell, argv: &big [";
  for (int i = 0; i < 3000; ++i) text += (i ? ", " : "") + std::string(290, 'x');
  text += "]}\n";
  for (size_t i = 1; i < tasks; ++i) {
    text += "  - {name: t" + std::to_string(i) + ", type: shell, argv: *big}\n";
  }
  return text;
}

TEST(WorkflowParseTest, ThousandsOfAliasesAreRefusedBeforeAnythingIsCopied) {
  const std::string text = aliased_workflow(3001);
  ASSERT_GT(text.size(), 1'000'000u);
  ASSERT_LT(text.size(), kMaxWorkflowBytes);
  EXPECT_EQ(error_of(text), "workflow: aliases: 3000 aliases, at most 1000");
}

TEST(WorkflowParseTest, AliasesThatExpandTooFarAreRefused) {
  // 1000 aliases are allowed, but not what they come to.
  EXPECT_EQ(error_of(aliased_workflow(1000)),
            "workflow: aliases: the document expands to more than 4194304 bytes with its "
            "aliases");
  // Nested aliases multiply: each level names the one before ten times.
  std::string nested = "name: w\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int level = 1; level <= 9; ++level) {
    nested += "x" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) nested += (i ? ", *a" : "*a") + std::to_string(level - 1);
    nested += "]\n";
  }
  EXPECT_EQ(error_of(nested),
            "workflow: aliases: the document expands to more than 4194304 bytes with its "
            "aliases");
}

TEST(WorkflowParseTest, AFewAliasesStillWork) {
  auto wf = parse_workflow(
      "name: w\ntasks:\n  - {name: a, type: shell, argv: [ls], env: &env {CC: gcc}}\n"
      "  - {name: b, type: shell, argv: [ls], env: *env}\n");
  ASSERT_TRUE(wf.ok()) << wf.status().message();
  EXPECT_EQ(wf->tasks[1].env.at("CC"), "gcc");
}

TEST(WorkflowParseTest, TooManyTasksAreRefused) {
  std::string text = "name: w\ntasks:\n";
  for (size_t i = 0; i <= kMaxWorkflowTasks; ++i) {
    text += "  - {name: t" + std::to_string(i) + ", type: shell, argv: [ls]}\n";
  }
  EXPECT_EQ(error_of(text), "workflow: tasks: 1001 tasks, at most 1000");
}

TEST(WorkflowParseTest, AFileLargerThanTheCapIsRefusedUnread) {
  testing::TempDir dir;
  {
    std::ofstream out(dir.file("big.yaml"));
    out << "name: w\n# " << std::string(kMaxWorkflowBytes, 'x') << "\n";
  }
  auto wf = load_workflow_file(dir.file("big.yaml"));
  EXPECT_EQ(wf.status().message(),
            dir.file("big.yaml") + ": workflow: larger than 1048576 bytes (1 MiB)");
  EXPECT_EQ(error_of(std::string(kMaxWorkflowBytes + 1, '#')),
            "workflow: 1048577 bytes, at most 1048576 (1 MiB)");
}

// ---------------------------------------------------------------------------------------------
// Running.

TEST(WorkflowRunTest, RunsInDependencyOrderThenFileOrder) {
  // d needs b and c, which need a; e needs nothing.
  Workflow wf =
      workflow({task("d", {"b", "c"}), task("b", {"a"}), task("a"), task("c", {"a"}), task("e")});
  RecordingRunner runner;
  auto result = run_workflow(wf, runner);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->ok);
  EXPECT_EQ(runner.started(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  // The result lists every task in file order.
  std::vector<std::string> names;
  for (const auto& t : result->tasks) {
    names.push_back(t.name);
    EXPECT_EQ(t.state, TaskState::kSucceeded) << t.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"d", "b", "a", "c", "e"}));
}

TEST(WorkflowRunTest, NoTaskStartsBeforeItsDependenciesEnd) {
  Workflow wf = workflow(
      {task("a"), task("b"), task("c", {"a", "b"}), task("d", {"c"}), task("e", {"a"}), task("f")},
      4);
  RecordingRunner runner;
  auto result = run_workflow(wf, runner);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->ok);
  auto events = runner.events();
  auto pos = [&](const std::string& e) {
    return std::find(events.begin(), events.end(), e) - events.begin();
  };
  for (const WorkflowTask& t : wf.tasks) {
    for (const std::string& dep : t.depends_on) {
      EXPECT_LT(pos("end " + dep), pos("start " + t.name)) << t.name << " after " << dep;
    }
  }
}

TEST(WorkflowRunTest, NeverRunsMoreThanParallelismAtOnce) {
  Workflow wf = workflow({task("a"), task("b"), task("c"), task("d"), task("e")}, 2);
  GatedRunner runner;
  core::Result<WorkflowResult> result = core::Status::internal("not run");
  std::thread engine([&] { result = run_workflow(wf, runner); });
  EXPECT_TRUE(runner.wait_started(2));
  EXPECT_EQ(runner.started_set(), (std::set<std::string>{"a", "b"}));  // started together
  runner.release("a");
  EXPECT_TRUE(runner.wait_started(3));
  runner.release("b");
  EXPECT_TRUE(runner.wait_started(4));
  runner.release("c");
  EXPECT_TRUE(runner.wait_started(5));
  runner.release("d");
  runner.release("e");
  engine.join();
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->ok);
  EXPECT_EQ(runner.max_running(), 2);  // reached, never exceeded
  // a and b start together, in either order; then each freed slot goes to the next in file
  // order.
  auto started = runner.started();
  ASSERT_EQ(started.size(), 5u);
  EXPECT_EQ(std::set<std::string>(started.begin(), started.begin() + 2),
            (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(std::vector<std::string>(started.begin() + 2, started.end()),
            (std::vector<std::string>{"c", "d", "e"}));
}

TEST(WorkflowRunTest, FailureSkipsDependentsAndLetsRunningTasksFinish) {
  // a and d run together; a fails while d is still running.
  Workflow wf = workflow({task("a"), task("d"), task("e"), task("b", {"a"}), task("c", {"b"})}, 2);
  GatedRunner runner;
  core::Result<WorkflowResult> result = core::Status::internal("not run");
  std::thread engine([&] { result = run_workflow(wf, runner, runner.observer()); });
  EXPECT_TRUE(runner.wait_started(2));
  runner.release("a", {false, 2, "make: *** [all] Error 2", false});
  // d ends only once the engine has taken in a's failure (skipping c is part of that), so
  // the engine must not fill d's slot with e.
  EXPECT_TRUE(runner.wait_settled("c"));
  runner.release("d");
  engine.join();
  ASSERT_TRUE(result.ok());
  const WorkflowResult& r = result.value();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(result_of(r, "a").state, TaskState::kFailed);
  EXPECT_EQ(result_of(r, "a").outcome.exit_code, 2);
  EXPECT_EQ(result_of(r, "a").outcome.message, "make: *** [all] Error 2");
  EXPECT_EQ(result_of(r, "d").state, TaskState::kSucceeded);
  EXPECT_EQ(result_of(r, "b").state, TaskState::kSkipped);
  EXPECT_EQ(result_of(r, "b").reason, "depends on failed task 'a'");
  EXPECT_EQ(result_of(r, "c").state, TaskState::kSkipped);
  EXPECT_EQ(result_of(r, "c").reason, "depends on failed task 'a'");
  EXPECT_EQ(result_of(r, "e").state, TaskState::kCancelled);
  EXPECT_EQ(runner.started_set(), (std::set<std::string>{"a", "d"}));
}

TEST(WorkflowRunTest, ContinuePolicyStillRunsIndependentTasks) {
  Workflow wf =
      workflow({task("a"), task("d"), task("e"), task("b", {"a"})}, 2, OnFailure::kContinue);
  GatedRunner runner;
  core::Result<WorkflowResult> result = core::Status::internal("not run");
  std::thread engine([&] { result = run_workflow(wf, runner); });
  EXPECT_TRUE(runner.wait_started(2));
  runner.release("a", {false, 1, "", false});
  EXPECT_TRUE(runner.wait_started(3));  // e takes a's place
  runner.release("d");
  runner.release("e");
  engine.join();
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result_of(result.value(), "e").state, TaskState::kSucceeded);
  EXPECT_EQ(result_of(result.value(), "b").state, TaskState::kSkipped);
  EXPECT_EQ(runner.started_set(), (std::set<std::string>{"a", "d", "e"}));
}

TEST(WorkflowRunTest, RefusedTaskFailsTheWorkflowLikeAFailure) {
  Workflow wf = workflow({task("a"), task("b", {"a"})});
  RecordingRunner runner;
  runner.outcomes["a"] = {false, 0, "daily quota of code exhausted", true};
  auto result = run_workflow(wf, runner);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result_of(result.value(), "a").state, TaskState::kRefused);
  EXPECT_EQ(result_of(result.value(), "a").outcome.message, "daily quota of code exhausted");
  EXPECT_EQ(result_of(result.value(), "b").state, TaskState::kSkipped);
  EXPECT_EQ(result_of(result.value(), "b").reason, "depends on refused task 'a'");
  EXPECT_EQ(runner.started(), std::vector<std::string>{"a"});
}

TEST(WorkflowRunTest, ARunnerThatThrowsFailsItsTask) {
  Workflow wf = workflow({task("a"), task("b", {"a"})});
  RecordingRunner runner;
  runner.throws.insert("a");
  auto result = run_workflow(wf, runner);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result_of(result.value(), "a").state, TaskState::kFailed);
  EXPECT_EQ(result_of(result.value(), "a").outcome.message, "runner failed: boom");
  EXPECT_EQ(result_of(result.value(), "b").state, TaskState::kSkipped);
}

TEST(WorkflowRunTest, ObserverHearsOfEveryTaskOnceAsItSettles) {
  Workflow wf = workflow({task("a"), task("b", {"a"}), task("c", {"b"}), task("d")});
  RecordingRunner runner;
  runner.outcomes["a"] = {false, 1, "", false};
  std::vector<std::pair<std::string, TaskState>> heard;
  auto result =
      run_workflow(wf, runner, [&](const TaskResult& r) { heard.emplace_back(r.name, r.state); });
  ASSERT_TRUE(result.ok());
  using P = std::pair<std::string, TaskState>;
  EXPECT_EQ(heard, (std::vector<P>{{"a", TaskState::kFailed},
                                   {"b", TaskState::kSkipped},
                                   {"c", TaskState::kSkipped},
                                   {"d", TaskState::kCancelled}}));
}

TEST(WorkflowRunTest, CycleIsRejectedBeforeAnythingRuns) {
  Workflow wf = workflow({task("ok"), task("a", {"b"}), task("b", {"a"})});
  RecordingRunner runner;
  auto result = run_workflow(wf, runner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "workflow: depends_on forms a cycle: a -> b -> a");
  EXPECT_TRUE(runner.events().empty());
}

TEST(WorkflowRunTest, UnknownDependencyIsRejectedBeforeAnythingRuns) {
  Workflow wf = workflow({task("ok"), task("a", {"ghost"})});
  RecordingRunner runner;
  auto result = run_workflow(wf, runner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "task 'a': depends_on names unknown task 'ghost'");
  EXPECT_TRUE(runner.events().empty());
}

TEST(WorkflowRunTest, InvalidParallelismIsRejectedBeforeAnythingRuns) {
  Workflow wf = workflow({task("a")}, 0);
  RecordingRunner runner;
  EXPECT_FALSE(run_workflow(wf, runner).ok());
  EXPECT_TRUE(runner.events().empty());
}

}  // namespace
}  // namespace gaia::exec
