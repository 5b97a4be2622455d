#include "exec/workflow.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <exception>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "core/mutex.h"
#include "exec/detail/yaml_budget.h"

namespace gaia::exec {

using core::Result;
using core::Status;

std::string_view task_state_name(TaskState state) {
  switch (state) {
    case TaskState::kSucceeded:
      return "succeeded";
    case TaskState::kFailed:
      return "failed";
    case TaskState::kRefused:
      return "refused";
    case TaskState::kSkipped:
      return "skipped";
    case TaskState::kCancelled:
      return "cancelled";
  }
  return "cancelled";
}

// ---------------------------------------------------------------------------------------------
// Parsing. yaml-cpp throws; every call into it stays inside parse_workflow's try block.

namespace {

Status invalid(const std::string& where, const std::string& what) {
  return Status::invalid_argument(where + ": " + what);
}

std::string task_label(const WorkflowTask& task, size_t index) {
  return task.name.empty() ? "tasks[" + std::to_string(index) + "]" : "task '" + task.name + "'";
}

// A scalar as a string; nullopt for maps, sequences and null.
std::optional<std::string> scalar(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

std::optional<std::vector<std::string>> string_list(const YAML::Node& node) {
  if (!node.IsSequence()) return std::nullopt;
  std::vector<std::string> out;
  for (const YAML::Node& item : node) {
    auto s = scalar(item);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
  }
  return out;
}

Status parse_task(const YAML::Node& node, size_t index, WorkflowTask& task) {
  const std::string at_index = "tasks[" + std::to_string(index) + "]";
  if (!node.IsMap()) return invalid(at_index, "must be a mapping with name, type and argv");
  // The name first, so every later message can name the task.
  if (YAML::Node name = node["name"]) {
    auto s = scalar(name);
    if (!s || s->empty()) return invalid(at_index, "name must be a non-empty string");
    task.name = *s;
  }
  const std::string where = task_label(task, index);
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& value = kv.second;
    if (key == "name") continue;
    if (key == "type") {
      auto s = scalar(value);
      if (!s || s->empty()) return invalid(where, "type must be a non-empty string");
      task.type = *s;
    } else if (key == "argv") {
      auto list = string_list(value);
      if (!list || list->empty()) return invalid(where, "argv must be a non-empty list of strings");
      task.argv = std::move(*list);
    } else if (key == "depends_on") {
      if (value.IsNull()) continue;
      auto list = string_list(value);
      if (!list) return invalid(where, "depends_on must be a list of task names");
      task.depends_on = std::move(*list);
    } else if (key == "cwd") {
      auto s = scalar(value);
      if (!s || s->empty()) return invalid(where, "cwd must be a non-empty string");
      task.cwd = *s;
    } else if (key == "timeout_s") {
      double seconds = 0;
      if (!value.IsScalar() || !YAML::convert<double>::decode(value, seconds) ||
          !std::isfinite(seconds) || seconds <= 0 || seconds > 366.0 * 24 * 3600) {
        return invalid(where, "timeout_s must be a number of seconds > 0");
      }
      task.timeout = std::chrono::milliseconds(std::llround(seconds * 1000));
    } else if (key == "env") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) return invalid(where, "env must be a mapping of names to strings");
      for (const auto& var : value) {
        auto name = scalar(var.first);
        auto text = scalar(var.second);
        if (!name || name->empty() || name->find('=') != std::string::npos) {
          return invalid(where, "env: variable names must be non-empty and contain no '='");
        }
        if (!text) return invalid(where, "env: value of " + *name + " must be a string");
        task.env[*name] = *text;
      }
    } else {
      return invalid(where, "unknown field '" + key + "'");
    }
  }
  if (task.name.empty()) return invalid(where, "name is required");
  if (task.type.empty()) return invalid(where, "type is required");
  if (task.argv.empty()) return invalid(where, "argv is required");
  return Status();
}

Status too_many_tasks(size_t tasks) {
  return invalid("workflow", "tasks: " + std::to_string(tasks) + " tasks, at most " +
                                 std::to_string(kMaxWorkflowTasks));
}

// Refuses a document whose aliases would take more than the caps once read, from the
// parser's events alone: nothing is built or copied yet.
Status check_budget(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  detail::YamlBudget budget;
  parser.HandleNextDocument(budget);  // the first document: the one YAML::Load reads
  if (budget.aliases() > kMaxWorkflowAliases) {
    return invalid("workflow", "aliases: " + std::to_string(budget.aliases()) +
                                   " aliases, at most " + std::to_string(kMaxWorkflowAliases));
  }
  if (budget.expanded_bytes() > kMaxWorkflowExpandedBytes) {
    return invalid("workflow", "aliases: the document expands to more than " +
                                   std::to_string(kMaxWorkflowExpandedBytes) +
                                   " bytes with its aliases");
  }
  if (budget.recursive())
    return invalid("workflow", "aliases: an alias names a node that holds it");
  return Status();
}

Result<Workflow> parse_document(const YAML::Node& root) {
  if (!root.IsMap()) return invalid("workflow", "the document must be a mapping");
  Workflow wf;
  bool has_tasks = false;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& value = kv.second;
    if (key == "name") {
      auto s = scalar(value);
      if (!s || s->empty()) return invalid("workflow", "name must be a non-empty string");
      wf.name = *s;
    } else if (key == "parallelism") {
      int n = 0;
      if (!value.IsScalar() || !YAML::convert<int>::decode(value, n) || n < 1) {
        return invalid("workflow", "parallelism must be an integer >= 1");
      }
      wf.parallelism = n;
    } else if (key == "on_failure") {
      auto s = scalar(value);
      if (s == "stop") {
        wf.on_failure = OnFailure::kStop;
      } else if (s == "continue") {
        wf.on_failure = OnFailure::kContinue;
      } else {
        return invalid("workflow", "on_failure must be \"stop\" or \"continue\"");
      }
    } else if (key == "tasks") {
      if (!value.IsSequence() || value.size() == 0) {
        return invalid("workflow", "tasks must be a non-empty list");
      }
      if (value.size() > kMaxWorkflowTasks) return too_many_tasks(value.size());
      for (size_t i = 0; i < value.size(); ++i) {
        WorkflowTask task;
        Status s = parse_task(value[i], i, task);
        if (!s.ok()) return s;
        wf.tasks.push_back(std::move(task));
      }
      has_tasks = true;
    } else {
      return invalid("workflow", "unknown field '" + key + "'");
    }
  }
  if (wf.name.empty()) return invalid("workflow", "name is required");
  if (!has_tasks) return invalid("workflow", "tasks is required");
  Status valid = validate_workflow(wf);
  if (!valid.ok()) return valid;
  return wf;
}

}  // namespace

Result<Workflow> parse_workflow(std::string_view yaml) {
  if (yaml.size() > kMaxWorkflowBytes) {
    return invalid("workflow", std::to_string(yaml.size()) + " bytes, at most " +
                                   std::to_string(kMaxWorkflowBytes) + " (1 MiB)");
  }
  try {
    const std::string text(yaml);
    if (Status s = check_budget(text); !s.ok()) return s;
    return parse_document(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    // Marks are 0-based.
    std::string where = e.mark.is_null() ? "workflow"
                                         : "line " + std::to_string(e.mark.line + 1) + ", column " +
                                               std::to_string(e.mark.column + 1);
    return invalid(where, e.msg);
  }
}

Result<Workflow> load_workflow_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path.string() + ": cannot open");
  // One byte past the cap tells a file that is too large, whatever it is (a pipe, a device).
  std::string text(kMaxWorkflowBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxWorkflowBytes) {
    return Status::invalid_argument(path.string() + ": workflow: larger than " +
                                    std::to_string(kMaxWorkflowBytes) + " bytes (1 MiB)");
  }
  auto wf = parse_workflow(text);
  if (!wf.ok()) return Status::invalid_argument(path.string() + ": " + wf.status().message());
  return wf;
}

// ---------------------------------------------------------------------------------------------
// Validation.

namespace {

// The first cycle met by a depth-first walk in file order, as "a -> b -> a"; empty when none.
// REQUIRES: every dependency names an existing task (deps holds indexes).
std::string find_cycle(const Workflow& wf, const std::vector<std::vector<size_t>>& deps) {
  enum Color : uint8_t { kWhite, kGrey, kBlack };
  std::vector<Color> color(wf.tasks.size(), kWhite);
  std::vector<size_t> stack;  // the grey path
  std::string cycle;
  // Recursion depth is bounded by the task count, which a workflow file keeps small.
  auto visit = [&](auto& self, size_t i) -> bool {
    color[i] = kGrey;
    stack.push_back(i);
    for (size_t d : deps[i]) {
      if (color[d] == kGrey) {
        auto start = std::find(stack.begin(), stack.end(), d);
        for (auto it = start; it != stack.end(); ++it) cycle += wf.tasks[*it].name + " -> ";
        cycle += wf.tasks[d].name;
        return true;
      }
      if (color[d] == kWhite && self(self, d)) return true;
    }
    stack.pop_back();
    color[i] = kBlack;
    return false;
  };
  for (size_t i = 0; i < wf.tasks.size(); ++i) {
    if (color[i] == kWhite && visit(visit, i)) return cycle;
  }
  return {};
}

}  // namespace

Status validate_workflow(const Workflow& wf) {
  if (wf.name.empty()) return invalid("workflow", "name is required");
  if (wf.parallelism < 1) return invalid("workflow", "parallelism must be an integer >= 1");
  if (wf.tasks.empty()) return invalid("workflow", "tasks must be a non-empty list");
  if (wf.tasks.size() > kMaxWorkflowTasks) return too_many_tasks(wf.tasks.size());
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < wf.tasks.size(); ++i) {
    const WorkflowTask& task = wf.tasks[i];
    const std::string where = task_label(task, i);
    if (task.name.empty()) return invalid(where, "name is required");
    if (!index.emplace(task.name, i).second) {
      return invalid(where, "name is used by more than one task");
    }
    if (task.type.empty()) return invalid(where, "type is required");
    if (task.argv.empty() || task.argv[0].empty()) {
      return invalid(where, "argv must be a non-empty list of strings");
    }
  }
  std::vector<std::vector<size_t>> deps(wf.tasks.size());
  for (size_t i = 0; i < wf.tasks.size(); ++i) {
    const WorkflowTask& task = wf.tasks[i];
    std::set<std::string_view> seen;
    for (const std::string& dep : task.depends_on) {
      auto it = index.find(dep);
      if (it == index.end()) {
        return invalid(task_label(task, i), "depends_on names unknown task '" + dep + "'");
      }
      if (!seen.insert(dep).second) {
        return invalid(task_label(task, i), "depends_on lists '" + dep + "' twice");
      }
      deps[i].push_back(it->second);
    }
  }
  std::string cycle = find_cycle(wf, deps);
  if (!cycle.empty()) return invalid("workflow", "depends_on forms a cycle: " + cycle);
  return Status();
}

// ---------------------------------------------------------------------------------------------
// Running.

namespace {

TaskOutcome run_guarded(TaskRunner& runner, const WorkflowTask& task) {
  try {
    return runner.run(task);
  } catch (const std::exception& e) {
    return TaskOutcome{false, -1, std::string("runner failed: ") + e.what(), false};
  } catch (...) {
    return TaskOutcome{false, -1, "runner failed", false};
  }
}

// The run's shared state. The coordinating thread (run_workflow's caller) owns everything but
// `completions`, which task threads append to under mu.
struct Run {
  core::Mutex mu;
  core::CondVar done_cv;
  std::deque<std::pair<size_t, TaskOutcome>> completions GUARDED_BY(mu);
};

}  // namespace

Result<WorkflowResult> run_workflow(const Workflow& wf, TaskRunner& runner,
                                    const TaskObserver& observer) {
  Status valid = validate_workflow(wf);
  if (!valid.ok()) return valid;

  const size_t n = wf.tasks.size();
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < n; ++i) index.emplace(wf.tasks[i].name, i);
  std::vector<std::vector<size_t>> dependents(n);
  std::vector<size_t> waiting_on(n, 0);  // dependencies not yet succeeded
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& dep : wf.tasks[i].depends_on) {
      dependents[index.at(dep)].push_back(i);
      ++waiting_on[i];
    }
  }

  WorkflowResult result;
  result.tasks.resize(n);
  std::vector<bool> settled(n, false);  // has a final state
  for (size_t i = 0; i < n; ++i) result.tasks[i].name = wf.tasks[i].name;

  std::set<size_t> ready;  // ordered: ready tasks start in file order
  for (size_t i = 0; i < n; ++i) {
    if (waiting_on[i] == 0) ready.insert(i);
  }

  Run run;
  std::vector<std::thread> threads(n);
  size_t running = 0;
  std::string first_failure;

  auto notify = [&](size_t i) {
    if (observer) observer(result.tasks[i]);
  };

  // Marks every task that depends on `failed`, directly or not, as skipped.
  auto skip_dependents = [&](size_t failed) {
    std::vector<size_t> todo = dependents[failed];
    while (!todo.empty()) {
      size_t i = todo.back();
      todo.pop_back();
      if (settled[i]) continue;
      settled[i] = true;
      result.tasks[i].state = TaskState::kSkipped;
      result.tasks[i].reason = "depends on " +
                               std::string(task_state_name(result.tasks[failed].state)) +
                               " task '" + wf.tasks[failed].name + "'";
      ready.erase(i);
      notify(i);
      todo.insert(todo.end(), dependents[i].begin(), dependents[i].end());
    }
  };

  while (true) {
    const bool stopped = !first_failure.empty() && wf.on_failure == OnFailure::kStop;
    while (!stopped && running < static_cast<size_t>(wf.parallelism) && !ready.empty()) {
      size_t i = *ready.begin();
      ready.erase(ready.begin());
      ++running;
      // The thread reads only wf.tasks[i] and the runner, both outliving it (joined below).
      try {
        threads[i] = std::thread([&run, &runner, &task = wf.tasks[i], i] {
          TaskOutcome outcome = run_guarded(runner, task);
          core::MutexLock lock(run.mu);
          run.completions.emplace_back(i, std::move(outcome));
          run.done_cv.notify_one();
        });
      } catch (const std::system_error& e) {  // no thread to be had: the task fails
        core::MutexLock lock(run.mu);
        run.completions.emplace_back(
            i, TaskOutcome{false, -1, std::string("cannot start a thread: ") + e.what(), false});
      }
    }
    if (running == 0) break;

    std::deque<std::pair<size_t, TaskOutcome>> done;
    {
      core::MutexLock lock(run.mu);
      run.done_cv.wait(run.mu, [&]() REQUIRES(run.mu) { return !run.completions.empty(); });
      done.swap(run.completions);
    }
    for (auto& [i, outcome] : done) {
      if (threads[i].joinable()) threads[i].join();
      --running;
      TaskResult& r = result.tasks[i];
      settled[i] = true;
      r.state = outcome.refused ? TaskState::kRefused
                : outcome.ok    ? TaskState::kSucceeded
                                : TaskState::kFailed;
      r.outcome = std::move(outcome);
      notify(i);
      if (r.state == TaskState::kSucceeded) {
        for (size_t d : dependents[i]) {
          if (--waiting_on[d] == 0 && !settled[d]) ready.insert(d);
        }
      } else {
        if (first_failure.empty()) first_failure = wf.tasks[i].name;
        skip_dependents(i);
      }
    }
  }

  // What is left never started: the workflow stopped after a failure.
  for (size_t i = 0; i < n; ++i) {
    if (settled[i]) continue;
    result.tasks[i].state = TaskState::kCancelled;
    result.tasks[i].reason =
        "not started: the workflow stopped after task '" + first_failure + "' did not succeed";
    notify(i);
  }
  result.ok = std::all_of(result.tasks.begin(), result.tasks.end(),
                          [](const TaskResult& r) { return r.state == TaskState::kSucceeded; });
  return result;
}

}  // namespace gaia::exec
