#include "app/reputation_feed.h"

namespace gaia::app {

void ReputationFeed::tell(uint64_t user_id, core::ReputationEvent event) {
  if (auto name = user_name_(user_id)) book_.record(*name, event);
}

void ReputationFeed::record_execution(store::Execution execution, store::RecordDone done) {
  if (execution.exit_code == 0) tell(execution.user_id, core::ReputationEvent::kClean);
  inner_.record_execution(std::move(execution), std::move(done));
}

void ReputationFeed::record_violation(store::Violation violation) {
  tell(violation.user_id, core::ReputationEvent::kViolation);
  inner_.record_violation(std::move(violation));
}

}  // namespace gaia::app
