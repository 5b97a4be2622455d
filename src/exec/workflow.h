#pragma once
// Workflows: named tasks (commands, as argv) with dependencies, read from YAML, validated, and
// run in dependency order with at most `parallelism` tasks at once. How one task runs (through
// admission and the process runner, or a fake in tests) is the caller's TaskRunner.
// See docs/workflows.md for the file format.
//
// A failed or refused task fails the workflow: the tasks that depend on it, directly or not,
// are skipped; tasks already running finish. Tasks that do not depend on it are not started
// either (on_failure: stop, the default) or still run (on_failure: continue).
//
// Threads: parse and validate are pure. run_workflow blocks its caller until every started
// task has finished and calls TaskRunner::run from up to `parallelism` threads of its own.
//
// Example:
//   auto wf = parse_workflow(text);
//   if (!wf.ok()) return bad_request(wf.status().message());
//   auto result = run_workflow(wf.value(), runner);

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::exec {

// What a workflow file may hold, so that no file can exhaust the reader: its size, its YAML
// aliases (how many, and how many bytes the document takes with each expanded) and its tasks.
inline constexpr size_t kMaxWorkflowBytes = size_t{1} << 20;  // 1 MiB
inline constexpr size_t kMaxWorkflowAliases = 1000;
inline constexpr size_t kMaxWorkflowExpandedBytes = size_t{4} << 20;  // 4 MiB
inline constexpr size_t kMaxWorkflowTasks = 1000;

struct WorkflowTask {
  std::string name;  // unique within the workflow
  std::string type;  // command type (shell, code, test, ...): which quotas it counts against
  std::vector<std::string> argv;
  std::vector<std::string> depends_on;  // names of tasks that must succeed first
  std::optional<std::string> cwd;
  std::optional<std::chrono::milliseconds> timeout;  // timeout_s in the file
  std::map<std::string, std::string> env;
};

enum class OnFailure : uint8_t {
  kStop,      // after a failure, start nothing new
  kContinue,  // after a failure, still run tasks that do not depend on the failed one
};

struct Workflow {
  std::string name;
  int parallelism = 1;
  OnFailure on_failure = OnFailure::kStop;
  std::vector<WorkflowTask> tasks;  // in file order, which also orders ready tasks
};

// Parses and validates a workflow document. Every error names the task (or "workflow") and
// the field: "task 'compile': argv must be a non-empty list of strings". A document past one
// of the caps above is refused, naming it, before its nodes are built.
[[nodiscard]] core::Result<Workflow> parse_workflow(std::string_view yaml);
// Reads and parses a workflow file; one larger than kMaxWorkflowBytes is refused unread.
[[nodiscard]] core::Result<Workflow> load_workflow_file(const std::filesystem::path& path);

// Checks what the parser cannot: a non-empty name, parallelism >= 1, 1 to kMaxWorkflowTasks tasks,
// unique non-empty task names, a type, a non-empty argv, dependencies on existing tasks, each
// named once, and no cycle (reported as its path: "cycle: a -> b -> a").
[[nodiscard]] core::Status validate_workflow(const Workflow& workflow);

// How one task ended, as the runner reports it.
struct TaskOutcome {
  bool ok = false;
  int exit_code = 0;
  std::string message;
  bool refused = false;  // not run at all: a limit, a quota or the confirmation policy said no
};

// Runs one task to completion. Called from up to `parallelism` threads at once, so an
// implementation must be thread-safe. An exception counts as a failed task.
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual TaskOutcome run(const WorkflowTask& task) = 0;
};

enum class TaskState : uint8_t {
  kSucceeded,
  kFailed,
  kRefused,
  kSkipped,    // a task it depends on failed or was refused
  kCancelled,  // did not depend on a failure, but the workflow stopped before it could start
};
std::string_view task_state_name(TaskState state);

struct TaskResult {
  std::string name;
  TaskState state = TaskState::kCancelled;
  TaskOutcome outcome;  // set for tasks that ran (succeeded, failed, refused)
  std::string reason;   // skipped / cancelled: why
};

struct WorkflowResult {
  bool ok = false;                // every task succeeded
  std::vector<TaskResult> tasks;  // every task, in file order
};

// Told of each task as it reaches its final state (also skipped and cancelled ones), in the
// order the engine settles them, on run_workflow's calling thread with no lock held: how a
// caller streams progress.
using TaskObserver = std::function<void(const TaskResult&)>;

// Validates `workflow` (nothing runs when it is invalid) and runs it through `runner`.
// Returns once every started task has finished.
[[nodiscard]] core::Result<WorkflowResult> run_workflow(const Workflow& workflow,
                                                        TaskRunner& runner,
                                                        const TaskObserver& observer = {});

}  // namespace gaia::exec
