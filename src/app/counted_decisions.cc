#include "app/counted_decisions.h"

#include <utility>

namespace gaia::app {

CountedDecisions::CountedDecisions(store::DecisionStore& inner, metrics::MetricsRegistry& registry)
    : inner_(inner),
      decisions_(registry.add_counter("gaia_confirm_decisions_total",
                                      "Confirmation decisions, by verdict and by what decided.",
                                      {"verdict", "source"})) {}

void CountedDecisions::record_decision(store::ConfirmDecision decision) {
  // Few verdicts and sources: the lookup under the family's lock is short, and a decision
  // is no check on the hot path.
  decisions_.with({decision.decision, decision.source}).inc();
  inner_.record_decision(std::move(decision));
}

}  // namespace gaia::app
