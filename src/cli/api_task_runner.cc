#include "cli/api_task_runner.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "cli/check_notices.h"
#include "cli/exec_call.h"
#include "cli/interrupt.h"

namespace gaia::cli {
namespace {

// A command that writes this much without a newline gets it printed as a line anyway, so one
// task cannot hold the others' output back nor grow our memory without bound.
constexpr size_t kMaxHeldLine = 64 * 1024;

// Prints one task's output line by line with its name in front.
class PrefixingListener final : public ExecListener {
 public:
  PrefixingListener(ApiTaskRunner& runner, std::ostream& out, std::ostream& err,
                    const std::string& task)
      : runner_(runner), out_(out), err_(err), prefix_("[" + task + "] ") {}
  ~PrefixingListener() override { flush(); }

  void on_output(OutputStream stream, std::string_view data) override {
    const bool is_out = stream == OutputStream::kStdout;
    std::string& held = is_out ? held_out_ : held_err_;
    std::ostream& to = is_out ? out_ : err_;
    for (;;) {
      const size_t eol = data.find('\n');
      if (eol == std::string_view::npos) break;
      held.append(data.substr(0, eol));
      runner_.print_line(to, prefix_ + held);
      held.clear();
      data.remove_prefix(eol + 1);
    }
    held.append(data);
    if (held.size() >= kMaxHeldLine) {
      runner_.print_line(to, prefix_ + held);
      held.clear();
    }
  }

  void on_queued(int64_t ahead, int64_t expected_wait_ms) override {
    if (told_queued_) return;
    told_queued_ = true;
    std::string line = prefix_ + "gaia: queued at position " + std::to_string(ahead + 1);
    if (expected_wait_ms > 0)
      line += ", about " + std::to_string((expected_wait_ms + 999) / 1000) + " s";
    runner_.print_line(err_, line);
  }

  void on_warnings(const boost::json::object& event) override {
    std::ostringstream text;
    print_warnings(event, text);
    std::istringstream lines(text.str());
    for (std::string line; std::getline(lines, line);) runner_.print_line(err_, prefix_ + line);
  }

  // A last line without a newline.
  void flush() {
    if (!held_out_.empty()) runner_.print_line(out_, prefix_ + held_out_);
    if (!held_err_.empty()) runner_.print_line(err_, prefix_ + held_err_);
    held_out_.clear();
    held_err_.clear();
  }

  const std::string& prefix() const { return prefix_; }

 private:
  ApiTaskRunner& runner_;
  std::ostream& out_;
  std::ostream& err_;
  const std::string prefix_;
  std::string held_out_, held_err_;
  bool told_queued_ = false;
};

ExecArgs args_of(const exec::WorkflowTask& task) {
  ExecArgs args;
  args.type = task.type;
  args.argv = task.argv;
  args.cwd = task.cwd;
  if (task.timeout) {
    // The API takes whole seconds; round up so a task never gets less than its file says.
    args.timeout_s = std::max<int64_t>(1, (task.timeout->count() + 999) / 1000);
  }
  for (const auto& [name, value] : task.env) args.env.emplace_back(name, value);
  return args;
}

exec::TaskOutcome outcome_of(const ExecResult& r) {
  exec::TaskOutcome o;
  o.exit_code = exec_exit_code(r);
  switch (r.end) {
    case ExecEnd::kExited:
      o.ok = r.exit_code == 0;
      o.message = "exit code " + std::to_string(r.exit_code);
      break;
    case ExecEnd::kSignalled:
      o.message = "killed by signal " + std::to_string(r.signal);
      break;
    case ExecEnd::kRefused:
      o.refused = true;
      // The task's state already says "refused"; the message says why.
      o.message = r.message.starts_with("refused: ") ? r.message.substr(9) : r.message;
      break;
    case ExecEnd::kNotStarted:
    case ExecEnd::kError:
      o.message = r.message;
      break;
  }
  for (const std::string& note : r.notes) o.message += "; " + note;
  return o;
}

}  // namespace

ApiTaskRunner::ApiTaskRunner(HttpClient& client, std::string key, std::ostream& out,
                             std::ostream& err, RefusalPolicy policy, core::MonoTime deadline,
                             const core::Clock& clock)
    : client_(client),
      key_(std::move(key)),
      out_(out),
      err_(err),
      policy_(policy),
      deadline_(deadline),
      clock_(clock) {}

void ApiTaskRunner::print_line(std::ostream& to, std::string_view line) {
  core::MutexLock lock(mu_);
  to << line << '\n';
  to.flush();
}

int64_t ApiTaskRunner::duration_ms(const std::string& task) const {
  core::MutexLock lock(mu_);
  auto it = durations_.find(task);
  return it == durations_.end() ? -1 : it->second;
}

exec::TaskOutcome ApiTaskRunner::run(const exec::WorkflowTask& task) {
  const ExecArgs args = args_of(task);
  for (;;) {
    if (Interrupt::signal() != 0) return {false, kExitExecFailed, "interrupted", false};
    PrefixingListener listener(*this, out_, err_, task.name);
    const ExecResult r = run_exec(client_, key_, args, listener);
    listener.flush();
    if (Interrupt::signal() != 0) {
      return {false, kExitSignalBase + Interrupt::signal(),
              "interrupted; the command was cancelled", false};
    }
    if (r.duration_ms >= 0) {
      core::MutexLock lock(mu_);
      durations_[task.name] = r.duration_ms;
    }
    if (r.end != ExecEnd::kRefused || policy_ == RefusalPolicy::kFail) return outcome_of(r);
    if (!r.retry_after_s) {
      exec::TaskOutcome o = outcome_of(r);
      o.message += " (not retried: the server gave no time to retry)";
      return o;
    }
    // At least a second: a Retry-After of 0 must not turn this into a busy loop.
    const auto wait = std::chrono::seconds(std::max<int64_t>(1, *r.retry_after_s));
    if (clock_.mono_now() + wait > deadline_) {
      exec::TaskOutcome o = outcome_of(r);
      o.message += " (not retried: that is past the --max-wait deadline)";
      return o;
    }
    print_line(err_, listener.prefix() + "gaia: " + r.message + "; waiting");
    if (Interrupt::sleep_for(wait, clock_)) continue;  // the loop's first check returns
  }
}

}  // namespace gaia::cli
