#pragma once
// CountedDecisions: the confirmer's decision log, counting each decision in /metrics as
// gaia_confirm_decisions_total{verdict,source} on its way to the store.
// Threads: as the inner store.

#include <vector>

#include "metrics/registry.h"
#include "store/decision_store.h"

namespace gaia::app {

// The confirmer's decision log, counting each decision by verdict and source on its way to
// the store. Thread-safe as the inner store.
class CountedDecisions final : public store::DecisionStore {
 public:
  // `inner` and `registry` must outlive this.
  CountedDecisions(store::DecisionStore& inner, metrics::MetricsRegistry& registry);

  void record_decision(store::ConfirmDecision decision) override;
  store::Result<std::vector<store::ConfirmDecision>> list_decisions(
      const store::DecisionFilter& filter) override {
    return inner_.list_decisions(filter);
  }

 private:
  store::DecisionStore& inner_;
  metrics::CounterFamily& decisions_;
};

}  // namespace gaia::app
