#include "exec/approval_gate.h"

#include <utility>

namespace gaia::exec {

ApprovalGate::ApprovalGate(std::shared_ptr<ExecObserver> client, confirm::ApprovalDesk& desk,
                           Executor& executor, ExecRequest request, std::string type_name)
    : client_(std::move(client)),
      desk_(desk),
      executor_(executor),
      request_(std::move(request)),
      type_name_(std::move(type_name)) {}

void ApprovalGate::close() {
  std::optional<uint64_t> approval;
  std::optional<Executor::Handle> handle;
  {
    core::MutexLock lock(mu_);
    closed_ = true;
    approval = approval_;
    handle = handle_;
  }
  if (approval) desk_.withdraw(*approval);
  if (handle) executor_.cancel(*handle);
}

void ApprovalGate::on_refused(const Refusal& refusal) {
  if (refusal.code != "approval_required") return client_->on_refused(refusal);
  std::weak_ptr<ApprovalGate> self = weak_from_this();
  auto waiting =
      desk_.open({request_.user_name, type_name_, launch_command(request_), refusal.message,
                  request_.spec.program, request_.spec.cwd.value_or("")},
                 [self](const confirm::ApprovalAnswer& answer) {
                   if (auto gate = self.lock()) gate->settled(answer);
                 });
  if (!waiting) {
    Refusal full = refusal;
    full.message += " (and too many approvals are waiting to ask for one more)";
    return client_->on_refused(full);
  }
  {
    core::MutexLock lock(mu_);
    approval_ = waiting->id;
  }
  client_->on_approval_required(*waiting, refusal.message);
  if (closed()) desk_.withdraw(waiting->id);  // hung up meanwhile
}

bool ApprovalGate::closed() {
  core::MutexLock lock(mu_);
  return closed_;
}

void ApprovalGate::track(Executor::Handle handle, bool replace) {
  bool cancel = false;
  {
    core::MutexLock lock(mu_);
    if (replace || !handle_) handle_ = handle;
    cancel = closed_;
  }
  if (cancel) executor_.cancel(handle);
}

void ApprovalGate::settled(const confirm::ApprovalAnswer& answer) {
  switch (answer.outcome) {
    case confirm::ApprovalOutcome::kApproved: {
      // A person approved this very command: it skips the policy, nothing else.
      ExecRequest approved = request_;
      approved.from_agent = false;
      if (auto handle = executor_.submit(std::move(approved), client_)) track(*handle, true);
      return;
    }
    case confirm::ApprovalOutcome::kDenied:
      return client_->on_refused(
          {403, "denied",
           "denied by " + answer.by + (answer.note.empty() ? "" : ": " + answer.note), std::nullopt,
           std::nullopt});
    case confirm::ApprovalOutcome::kExpired:
      return client_->on_refused(
          {428, "approval_timeout",
           "no admin answered within " + std::to_string(desk_.wait().count()) + " s", std::nullopt,
           std::nullopt});
    case confirm::ApprovalOutcome::kWithdrawn:
      return;
  }
}

}  // namespace gaia::exec
