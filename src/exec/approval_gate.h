#pragma once
// ApprovalGate: an ExecObserver that holds an agent's command the policy asks a person about
// on the ApprovalDesk instead of refusing it with 428. The client is told it waits
// (on_approval_required); once an admin approves, the very same command goes through the
// executor again, skipping only the policy; a denial or the desk's timeout ends it refused.
// Every other event passes straight to the client's observer. Before it waits, the command is
// counted against its user's limits (refused with 429 past them) and must find room on the
// desk: 429 when its user has their share waiting, 503 when the desk is full. On counters shared
// with other nodes the count takes its concurrency slots as a lease, renewed while it waits and
// handed to the approved command, which holds it until it ends; a denial, the timeout, a hang-up
// or a desk without room gives it back. REQUIRES: the request
// is prepared (Executor::prepare), so that the desk shows, and an approval runs, the program
// resolved once.
//
// Threads: the executor's and the desk's threads call in; close() from any thread. Owned by
// shared_ptr (the desk's callback holds it weakly).

#include <memory>
#include <optional>
#include <string>

#include "confirm/approval_desk.h"
#include "core/mutex.h"
#include "exec/executor.h"

namespace gaia::exec {

class ApprovalGate : public ExecObserver, public std::enable_shared_from_this<ApprovalGate> {
 public:
  // `desk` and `executor` outlive the gate.
  ApprovalGate(std::shared_ptr<ExecObserver> client, confirm::ApprovalDesk& desk,
               Executor& executor, ExecRequest request, std::string type_name);

  // The client hung up: nothing more to wait for or run.
  void close();
  // The executor took the command as `handle` (cancelled on close()). The policy's answer may
  // come before this call, and an admin's approval too: the approved command's handle stays.
  void ran_as(Executor::Handle handle) { track(handle, false); }

  void on_refused(const Refusal& refusal) override;
  void on_queued(const core::Enqueued& e) override { client_->on_queued(e); }
  void on_throttled(const core::Admission& a) override { client_->on_throttled(a); }
  void on_quota_warnings(const std::vector<QuotaWarning>& w, const core::RuleSet& rules) override {
    client_->on_quota_warnings(w, rules);
  }
  void on_started() override { client_->on_started(); }
  void on_output(OutputStream stream, std::string_view bytes) override {
    client_->on_output(stream, bytes);
  }
  void on_exited(const RunResult& r, const core::Status& recorded) override {
    client_->on_exited(r, recorded);
  }
  void on_failed(const core::Status& why) override { client_->on_failed(why); }

 private:
  bool closed();
  // The refusal for a desk without room for this command (nullopt: room); `asked` is the
  // policy's refusal, what the client gets when approvals are off.
  std::optional<Refusal> refusal_for(confirm::DeskRoom room, const Refusal& asked) const;
  // Cancels `handle` on close(); `replace`: even if another handle is tracked already.
  void track(Executor::Handle handle, bool replace);
  void settled(const confirm::ApprovalAnswer& answer);
  // The slots counted while it waited, taken out of the gate.
  LeaseKeeper::Held take_lease();

  const std::shared_ptr<ExecObserver> client_;
  confirm::ApprovalDesk& desk_;
  Executor& executor_;
  const ExecRequest request_;
  const std::string type_name_;
  core::Mutex mu_;
  bool closed_ GUARDED_BY(mu_) = false;
  std::optional<uint64_t> approval_ GUARDED_BY(mu_);
  std::optional<Executor::Handle> handle_ GUARDED_BY(mu_);
  // The slots counted while it waits (shared counters only), until approved or given back.
  LeaseKeeper::Held lease_ GUARDED_BY(mu_);
};

}  // namespace gaia::exec
