#include "confirm/approval_desk.h"

namespace gaia::confirm {

DeskRoom ApprovalDesk::room_locked(const std::string& user) const {
  if (wait_.count() <= 0) return DeskRoom::kOff;
  auto mine = per_user_.find(user);
  if (mine != per_user_.end() && mine->second >= max_per_user_) return DeskRoom::kUserFull;
  if (waiting_.size() >= max_pending_) return DeskRoom::kFull;
  return DeskRoom::kOpened;
}

DeskRoom ApprovalDesk::room_for(const std::string& user) const {
  core::MutexLock lock(mu_);
  return room_locked(user);
}

Opened ApprovalDesk::open(ApprovalRequest request, Settle settle) {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  core::MutexLock lock(mu_);
  if (DeskRoom room = room_locked(request.user); room != DeskRoom::kOpened) return {room, {}};
  ++per_user_[request.user];
  PendingApproval approval{next_id_++, std::move(request), now_ms,
                           now_ms + std::chrono::milliseconds(wait_).count()};
  waiting_.emplace(approval.id, Entry{approval, std::move(settle)});
  return {DeskRoom::kOpened, std::move(approval)};
}

bool ApprovalDesk::settle(uint64_t id, const ApprovalAnswer& answer, PendingApproval* settled) {
  Entry entry;
  {
    core::MutexLock lock(mu_);
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return false;
    entry = std::move(it->second);
    waiting_.erase(it);
    auto mine = per_user_.find(entry.approval.request.user);
    if (mine != per_user_.end() && --mine->second == 0) per_user_.erase(mine);
  }
  if (settled != nullptr) *settled = entry.approval;
  entry.settle(answer);
  return true;
}

core::Result<PendingApproval> ApprovalDesk::decide(uint64_t id, bool approve, std::string by,
                                                   std::string note) {
  PendingApproval settled;
  ApprovalAnswer answer{approve ? ApprovalOutcome::kApproved : ApprovalOutcome::kDenied,
                        std::move(by), std::move(note)};
  if (!settle(id, answer, &settled)) {
    return core::Status::not_found("no approval " + std::to_string(id) +
                                   " is waiting (it was answered, expired or withdrawn)");
  }
  return settled;
}

void ApprovalDesk::withdraw(uint64_t id) {
  (void)settle(id, {ApprovalOutcome::kWithdrawn, "", ""}, nullptr);
}

void ApprovalDesk::expire() {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  std::vector<uint64_t> due;
  {
    core::MutexLock lock(mu_);
    for (const auto& [id, entry] : waiting_) {
      if (entry.approval.expires_at_ms <= now_ms) due.push_back(id);
    }
  }
  for (uint64_t id : due) (void)settle(id, {ApprovalOutcome::kExpired, "", ""}, nullptr);
}

std::vector<PendingApproval> ApprovalDesk::pending() const {
  core::MutexLock lock(mu_);
  std::vector<PendingApproval> out;
  out.reserve(waiting_.size());
  for (const auto& [id, entry] : waiting_) out.push_back(entry.approval);
  return out;
}

std::string_view approval_outcome_name(ApprovalOutcome outcome) {
  switch (outcome) {
    case ApprovalOutcome::kApproved:
      return "approved";
    case ApprovalOutcome::kDenied:
      return "denied";
    case ApprovalOutcome::kExpired:
      return "expired";
    case ApprovalOutcome::kWithdrawn:
      return "withdrawn";
  }
  return "expired";
}

boost::json::object approval_json(const PendingApproval& approval, std::string_view state) {
  return {{"id", approval.id},
          {"user", approval.request.user},
          {"type", approval.request.type},
          {"command", approval.request.command},
          {"program", approval.request.program},
          {"cwd", approval.request.cwd},
          {"reason", approval.request.reason},
          {"requested_at_ms", approval.requested_at_ms},
          {"expires_at_ms", approval.expires_at_ms},
          {"state", state}};
}

}  // namespace gaia::confirm
