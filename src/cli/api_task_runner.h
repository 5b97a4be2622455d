#pragma once
// ApiTaskRunner: runs the tasks of a workflow (exec/workflow.h) through POST /api/v1/exec,
// one connection per running task. Each line a task writes is printed with the task's name in
// front ("[compile] ..."), stdout to `out` and stderr to `err`, whole lines at a time so that
// tasks running in parallel never mix within a line. A refused task fails (refused = true),
// or, with RefusalPolicy::kWait, is sent again once the server's Retry-After has passed, as
// long as that stays within the deadline.
//
// Threads: run() from any number of threads at once (the workflow engine's); `client` must
// allow concurrent calls (RemoteHttpClient does). The streams are written under one mutex.

#include <chrono>
#include <map>
#include <ostream>
#include <string>

#include "cli/http_client.h"
#include "core/clock.h"
#include "core/mutex.h"
#include "exec/workflow.h"

namespace gaia::cli {

enum class RefusalPolicy : uint8_t {
  kFail,  // a refused task fails at once
  kWait,  // wait for Retry-After and try again, until the deadline
};

class ApiTaskRunner final : public exec::TaskRunner {
 public:
  // Every reference must outlive the runner. `deadline`, by `clock`, bounds the waits of kWait.
  ApiTaskRunner(HttpClient& client, std::string key, std::ostream& out, std::ostream& err,
                RefusalPolicy policy, core::MonoTime deadline, const core::Clock& clock);

  exec::TaskOutcome run(const exec::WorkflowTask& task) override;

  // How long the task's command ran by the server's measure, or -1 if it did not run.
  int64_t duration_ms(const std::string& task) const;

  // Writes `line` and a newline to `to` under the output mutex.
  void print_line(std::ostream& to, std::string_view line);

 private:
  HttpClient& client_;
  const std::string key_;
  std::ostream& out_;
  std::ostream& err_;
  const RefusalPolicy policy_;
  const core::MonoTime deadline_;
  const core::Clock& clock_;

  mutable core::Mutex mu_;  // also serializes writes to the streams (print_line)
  std::map<std::string, int64_t> durations_ GUARDED_BY(mu_);
};

}  // namespace gaia::cli
