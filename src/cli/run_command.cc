#include "cli/run_command.h"

#include "cli/api_task_runner.h"
#include "cli/format.h"
#include "cli/interrupt.h"
#include "exec/workflow.h"

namespace gaia::cli {

std::string duration_text(int64_t ms) {
  if (ms < 0) return "-";
  if (ms < 1000) return std::to_string(ms) + " ms";
  return format_duration(ms);
}

int run_workflow_file(const Session& s, const RunArgs& args) {
  core::Result<exec::Workflow> loaded = exec::load_workflow_file(args.file);
  if (!loaded.ok()) {
    // The engine's message names the file.
    s.err << "gaia: " << loaded.status().message() << '\n';
    return kExitWorkflowInvalid;
  }
  exec::Workflow& workflow = loaded.value();
  if (args.parallelism) {
    workflow.parallelism = *args.parallelism;
    if (core::Status v = exec::validate_workflow(workflow); !v.ok()) {
      s.err << "gaia: --parallelism: " << v.message() << '\n';
      return kExitWorkflowInvalid;
    }
  }

  ApiTaskRunner runner(s.client, s.key, s.out, s.err,
                       args.wait_on_refusal ? RefusalPolicy::kWait : RefusalPolicy::kFail,
                       s.clock.mono_now() + args.max_wait, s.clock);
  // Failures as they happen, one line each; skipped and cancelled tasks are in the table.
  auto observer = [&runner, &s](const exec::TaskResult& t) {
    if (t.state != exec::TaskState::kFailed && t.state != exec::TaskState::kRefused) return;
    runner.print_line(s.err, "gaia: task '" + t.name + "' " +
                                 std::string(exec::task_state_name(t.state)) + ": " +
                                 t.outcome.message);
  };
  core::Result<exec::WorkflowResult> result = exec::run_workflow(workflow, runner, observer);
  if (!result.ok()) {
    s.err << "gaia: " << args.file << ": " << result.status().message() << '\n';
    return kExitWorkflowInvalid;
  }

  Table table({"TASK", "STATE", "EXIT", "DURATION", "NOTE"});
  for (const exec::TaskResult& t : result->tasks) {
    const bool ran = t.state == exec::TaskState::kSucceeded || t.state == exec::TaskState::kFailed;
    const std::string note = t.state == exec::TaskState::kSucceeded        ? ""
                             : ran || t.state == exec::TaskState::kRefused ? t.outcome.message
                                                                           : t.reason;
    table.add({t.name, std::string(exec::task_state_name(t.state)),
               ran ? std::to_string(t.outcome.exit_code) : "-",
               duration_text(runner.duration_ms(t.name)), note});
  }
  table.print(s.out);
  s.out.flush();
  if (const int sig = Interrupt::signal(); sig != 0) return 128 + sig;
  return result->ok ? kExitOk : kExitWorkflowFailed;
}

}  // namespace gaia::cli
