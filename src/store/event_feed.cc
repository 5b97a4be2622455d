#include "store/event_feed.h"

namespace gaia::store {

void EventFeed::add_usage(Usage delta) {
  const int64_t at_ms = core::to_ms(clock_.wall_now());
  for (StoreListener* l : listeners_) l->on_usage(delta, at_ms);
  inner().add_usage(std::move(delta));
}

void EventFeed::record_violation(Violation violation) {
  for (StoreListener* l : listeners_) l->on_violation(violation);
  inner().record_violation(std::move(violation));
}

void EventFeed::record_execution(Execution execution, RecordDone done) {
  for (StoreListener* l : listeners_) l->on_execution(execution);
  inner().record_execution(std::move(execution), std::move(done));
}

}  // namespace gaia::store
