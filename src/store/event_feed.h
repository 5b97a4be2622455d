#pragma once
// EventFeed: a Store that passes everything on and tells its listeners about the request
// path's facts as they are written: units admitted (usage), refusals (violations) and
// finished commands (executions). Every writer of those rows goes through the store, so
// reputation, analytics and the live feed follow them without each caller knowing.
//
// Example:
//   EventFeed feed(store, clock);
//   feed.add_listener(&reputation);   // before anything writes through the feed
//   feed.add_usage({...});            // listeners see it, then the inner store queues it
//
// Ownership: the inner store, the clock and the listeners are borrowed and must outlive the
// feed. Threads: as the inner store; listeners are called on the writer's thread, so they
// must be cheap and thread-safe (no I/O, short critical sections).

#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "store/forwarding_store.h"

namespace gaia::store {

class StoreListener {
 public:
  virtual ~StoreListener() = default;
  // `delta` units were admitted at `at_ms` (wall clock, ms since the epoch).
  virtual void on_usage(const Usage& delta, int64_t at_ms) {
    (void)delta;
    (void)at_ms;
  }
  // The limiter refused; violation.limit names the deciding limit.
  virtual void on_violation(const Violation& violation) { (void)violation; }
  // A command finished (exit_code 0: cleanly). Called when it is handed to the store, before
  // its row is durable; a repeated id is reported again.
  virtual void on_execution(const Execution& execution) { (void)execution; }
};

class EventFeed final : public ForwardingStore {
 public:
  EventFeed(Store& inner, const core::Clock& clock) : ForwardingStore(inner), clock_(clock) {}

  // Not thread-safe: add every listener before the feed is shared.
  void add_listener(StoreListener* listener) { listeners_.push_back(listener); }

  void add_usage(Usage delta) override;
  void record_violation(Violation violation) override;
  void record_execution(Execution execution, RecordDone done) override;

 private:
  const core::Clock& clock_;
  std::vector<StoreListener*> listeners_;
};

}  // namespace gaia::store
