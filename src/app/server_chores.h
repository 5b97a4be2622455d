#pragma once
// The periodic jobs of gaia_server, each set on its own Chores thread (app/chores.h), both
// started once the server serves:
//   upkeep     every second: the limiter's sweeps, the executor's throttle, expired approvals,
//              reputation into the directory's limit scales; every 2 s reputation saved;
//              hourly the executions older than GAIA_RETENTION_DAYS and the violations
//              older than GAIA_VIOLATION_RETENTION_DAYS deleted.
//   analytics  every GAIA_ANALYTICS_FLUSH_S the aggregates flushed, every minute compacted,
//              hourly those past their retention deleted. Apart from upkeep, so that store
//              I/O never holds up the limiter's sweeps.
// Failures are logged to `err` as [WARN] lines; the jobs run again at their next turn.
// Everything given must outlive the returned chores, which stop (and join) on destruction.

#include <memory>
#include <ostream>

#include "analytics/rollup.h"
#include "app/chores.h"
#include "app/config.h"
#include "app/exec_stack.h"
#include "app/services.h"
#include "confirm/approval_desk.h"

namespace gaia::app {

std::unique_ptr<Chores> start_upkeep_chores(const Config& config, const core::Clock& clock,
                                            store::Store& store, Services& services,
                                            ExecStack& exec, confirm::ApprovalDesk& approvals,
                                            std::ostream& err);

std::unique_ptr<Chores> start_analytics_chores(const Config& config, const core::Clock& clock,
                                               analytics::Rollup& rollup, std::ostream& err);

}  // namespace gaia::app
