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
  // Room first, then the limits: a command the desk cannot take costs its user nothing.
  if (auto no_room = refusal_for(desk_.room_for(request_.user_name), refusal)) {
    return client_->on_refused(*no_room);
  }
  // A waiting approval takes its share of its user's limits now, so a user past them cannot
  // fill the desk; the approved command is not counted again. Its slots are the gate's before
  // the desk opens: an admin may answer at once.
  {
    LeaseKeeper::Held counted;
    if (auto over = executor_.count_against_limits(request_, counted, *client_)) {
      return client_->on_refused(*over);
    }
    core::MutexLock lock(mu_);
    lease_ = std::move(counted);
  }
  std::weak_ptr<ApprovalGate> self = weak_from_this();
  confirm::Opened waiting =
      desk_.open({request_.user_name, type_name_, launch_command(request_), refusal.message,
                  request_.spec.program, request_.spec.cwd.value_or("")},
                 [self](const confirm::ApprovalAnswer& answer) {
                   if (auto gate = self.lock()) gate->settled(answer);
                 });
  if (auto no_room = refusal_for(waiting.room, refusal)) {
    take_lease().release();
    return client_->on_refused(*no_room);
  }
  {
    core::MutexLock lock(mu_);
    approval_ = waiting.approval.id;
  }
  client_->on_approval_required(waiting.approval, refusal.message);
  if (closed()) desk_.withdraw(waiting.approval.id);  // hung up meanwhile
}

std::optional<Refusal> ApprovalGate::refusal_for(confirm::DeskRoom room,
                                                 const Refusal& asked) const {
  switch (room) {
    case confirm::DeskRoom::kOpened:
      return std::nullopt;
    case confirm::DeskRoom::kOff:
      return asked;
    case confirm::DeskRoom::kUserFull:
      return Refusal{429,
                     "approvals_per_user",
                     "approvals per user: " + request_.user_name + " already has " +
                         std::to_string(desk_.max_per_user()) +
                         " commands waiting for an admin's approval "
                         "(GAIA_CONFIRM_APPROVAL_MAX_PER_USER); try again once one is answered",
                     std::nullopt,
                     std::nullopt,
                     asked.command,
                     asked.program};
    case confirm::DeskRoom::kFull:
      return Refusal{503,
                     "approvals_full",
                     "approvals waiting: the desk holds " + std::to_string(desk_.max_pending()) +
                         " commands of all users waiting for an admin's approval; try again later",
                     std::chrono::seconds(5),
                     std::nullopt,
                     asked.command,
                     asked.program};
  }
  return asked;
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

LeaseKeeper::Held ApprovalGate::take_lease() {
  core::MutexLock lock(mu_);
  return std::move(lease_);
}

void ApprovalGate::settled(const confirm::ApprovalAnswer& answer) {
  // Every answer ends the wait: the slots go with an approved command, or back before the
  // client hears of the end.
  LeaseKeeper::Held counted = take_lease();
  switch (answer.outcome) {
    case confirm::ApprovalOutcome::kApproved: {
      // A person approved this very command: it skips the policy, nothing else.
      ExecRequest approved = request_;
      approved.from_agent = false;
      approved.limits_counted = true;
      if (auto handle = executor_.submit(std::move(approved), client_, std::move(counted))) {
        track(*handle, true);
      }
      return;
    }
    case confirm::ApprovalOutcome::kDenied:
      counted.release();
      return client_->on_refused(
          {403, "denied",
           "denied by " + answer.by + (answer.note.empty() ? "" : ": " + answer.note), std::nullopt,
           std::nullopt});
    case confirm::ApprovalOutcome::kExpired:
      counted.release();
      return client_->on_refused(
          {428, "approval_timeout",
           "no admin answered within " + std::to_string(desk_.wait().count()) + " s", std::nullopt,
           std::nullopt});
    case confirm::ApprovalOutcome::kWithdrawn:
      return;  // the client is gone; `counted` goes back as it leaves
  }
}

}  // namespace gaia::exec
