#pragma once
// ApprovalDesk: commands an agent proposed that the confirmation policy says need a person,
// each waiting for an admin's answer (POST /api/admin/approvals/{id}) until its time runs
// out. Every approval is settled exactly once: by an admin's approve or deny, by expiry, or
// withdrawn because its requester went away; its callback then runs, outside the desk's lock.
//
// Room is shared fairly: the desk holds at most `max_pending` approvals for all users
// together and at most `max_per_user` of any one user (their name), so one user can never
// take the room every other user needs.
//
// Example:
//   ApprovalDesk desk(clock, std::chrono::minutes(5), 256, 8);
//   auto waiting = desk.open({"ann", "shell", "git push --force", "force push"},
//                            [](const ApprovalAnswer& a) { ... });
//   desk.decide(waiting.approval.id, true, "root", "ok");  // the callback runs: kApproved
//   desk.expire();                                // a chore, every second
//
// Threads: every method from any thread.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"

namespace gaia::confirm {

// What waits for a person.
struct ApprovalRequest {
  std::string user;
  std::string type;
  std::string command;       // what runs: env changes, the resolved program, its arguments
  std::string reason;        // why the policy asks
  std::string program = {};  // the resolved program, absolute
  std::string cwd = {};      // empty: the server's own
};

struct PendingApproval {
  uint64_t id = 0;
  ApprovalRequest request;
  int64_t requested_at_ms = 0;
  int64_t expires_at_ms = 0;
};

enum class ApprovalOutcome : uint8_t { kApproved, kDenied, kExpired, kWithdrawn };

// Whether open() put an approval on the desk, and if not why.
enum class DeskRoom : uint8_t {
  kOpened,
  kOff,       // the operator did not enable approvals (wait 0)
  kFull,      // max_pending approvals wait, all users together
  kUserFull,  // this user has max_per_user approvals waiting
};

struct Opened {
  DeskRoom room = DeskRoom::kOff;
  PendingApproval approval;  // kOpened only
  bool ok() const { return room == DeskRoom::kOpened; }
};

struct ApprovalAnswer {
  ApprovalOutcome outcome = ApprovalOutcome::kExpired;
  std::string by;    // the admin, for kApproved and kDenied
  std::string note;  // theirs, possibly empty
};

class ApprovalDesk {
 public:
  using Settle = std::function<void(const ApprovalAnswer&)>;

  // `clock` must outlive the desk. A desk whose wait is 0 takes nothing (the operator did
  // not enable approvals): open() answers kOff.
  ApprovalDesk(const core::Clock& clock, std::chrono::seconds wait, size_t max_pending,
               size_t max_per_user)
      : clock_(clock), wait_(wait), max_pending_(max_pending), max_per_user_(max_per_user) {}

  // Puts `request` on the desk until clock + wait; kFull when max_pending already wait,
  // kUserFull when request.user already has max_per_user waiting (nothing changed either way).
  Opened open(ApprovalRequest request, Settle settle);
  // What open() would answer for `user` now (kOpened: there is room), changing nothing.
  DeskRoom room_for(const std::string& user) const;
  // An admin's answer. kNotFound when no approval `id` waits (never opened, or settled).
  core::Result<PendingApproval> decide(uint64_t id, bool approve, std::string by, std::string note);
  // The requester went away: settles `id` as kWithdrawn if it still waits.
  void withdraw(uint64_t id);
  // Settles every approval whose time is up as kExpired.
  void expire();
  // Oldest first.
  std::vector<PendingApproval> pending() const;

  std::chrono::seconds wait() const { return wait_; }
  size_t max_pending() const { return max_pending_; }
  size_t max_per_user() const { return max_per_user_; }

 private:
  struct Entry {
    PendingApproval approval;
    Settle settle;
  };
  DeskRoom room_locked(const std::string& user) const REQUIRES(mu_);
  // Removes `id` and settles it with `answer`; false when it no longer waits.
  bool settle(uint64_t id, const ApprovalAnswer& answer, PendingApproval* settled);

  const core::Clock& clock_;
  const std::chrono::seconds wait_;
  const size_t max_pending_;
  const size_t max_per_user_;
  mutable core::Mutex mu_;
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Entry> waiting_ GUARDED_BY(mu_);       // by id: oldest first
  std::map<std::string, size_t> per_user_ GUARDED_BY(mu_);  // waiting, by user; none at 0
};

std::string_view approval_outcome_name(ApprovalOutcome outcome);

// {"id","user","type","command","program","cwd","reason","requested_at_ms","expires_at_ms",
// "state"}: what the admin API lists and the live feed announces.
boost::json::object approval_json(const PendingApproval& approval, std::string_view state);

}  // namespace gaia::confirm
