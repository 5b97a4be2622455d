#pragma once
// gaia run: runs a workflow file (docs/workflows.md) through the server. The file is read and
// validated first: a syntax error, a cycle or an unknown dependency is reported with the
// engine's message and nothing runs. Then each task runs through POST /api/v1/exec (see
// ApiTaskRunner), in dependency order, up to the workflow's parallelism at once; each output
// line is printed as "[task] line". A summary table ends the run.
// Exit codes: 0 every task succeeded; 1 a task failed, was refused, skipped or cancelled;
// 2 usage error or invalid workflow; 128 + SIGINT or SIGTERM when interrupted (running tasks'
// connections are closed, which cancels their commands).

#include <chrono>
#include <optional>
#include <string>

#include "cli/commands.h"

namespace gaia::cli {

constexpr int kExitWorkflowFailed = 1;
constexpr int kExitWorkflowInvalid = 2;

struct RunArgs {
  std::string file;
  std::optional<int> parallelism;      // overrides the file's; validated like it
  bool wait_on_refusal = false;        // wait for Retry-After and retry instead of failing
  std::chrono::seconds max_wait{600};  // with wait_on_refusal: no retry past start + this
};

// `s.client` must allow concurrent calls; s.json is ignored.
int run_workflow_file(const Session& s, const RunArgs& args);

// "12 ms" under a second, else format_duration's "1m 5s"; "-" for a negative value.
std::string duration_text(int64_t ms);

}  // namespace gaia::cli
