#pragma once
// ConfirmHook: the executor's confirmation stage (exec::ConfirmationHook) answered by the
// confirmation policy (confirm::Confirmer: patterns, then the reviewer, logged). A command an
// agent proposes through POST /api/v1/exec is judged as exec::launch_command renders it (the
// env changes as assignments, the program the server resolved, the arguments), so that the
// policy sees what will run; a deny becomes 403 with the reason, an ask 428 with the reason
// and what would approve it.
//
// Threads: review() from any thread; it never waits for the reviewer: the answer comes on the
// reviewer's thread (at once on the caller's when patterns decide or the reviewer is busy).

#include "confirm/confirmer.h"
#include "core/limiter.h"
#include "exec/executor.h"

namespace gaia::app {

class ConfirmHook final : public exec::ConfirmationHook {
 public:
  // Both must outlive the hook; `limiter` names the command types.
  ConfirmHook(confirm::Confirmer& confirmer, const core::Limiter& limiter)
      : confirmer_(confirmer), limiter_(limiter) {}

  void review(const exec::ExecRequest& request,
              std::function<void(exec::Confirmation)> done) override;

 private:
  confirm::Confirmer& confirmer_;
  const core::Limiter& limiter_;
};

}  // namespace gaia::app
