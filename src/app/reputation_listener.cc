#include "app/reputation_listener.h"

namespace gaia::app {

void ReputationListener::tell(uint64_t user_id, core::ReputationEvent event) {
  if (auto name = user_name_(user_id)) book_.record(*name, event);
}

void ReputationListener::on_violation(const store::Violation& violation) {
  tell(violation.user_id, core::ReputationEvent::kViolation);
}

void ReputationListener::on_execution(const store::Execution& execution) {
  // A reported execution is the client's word and passed no check: it never raises a score.
  if (execution.source != store::ExecutionSource::kRun) return;
  if (execution.exit_code == 0) tell(execution.user_id, core::ReputationEvent::kClean);
}

}  // namespace gaia::app
