#pragma once
// Confirmer: answers approve / deny / ask for a proposed command, the one place both
// POST /api/claude/confirm/request and the executor's confirmation stage ask.
//   1. The patterns in force (PatternBook) and the policy's guards decide, source "pattern",
//      "option", "environment", ... (policy.h), or "default" when some command part matched
//      no pattern and nothing else asked or denied.
//   2. Only a "default" answer goes to the reviewer, when it is enabled: it decides, source
//      "reviewer"; when it is busy, slow, unreachable or answers nonsense, the configured
//      fallback does, source "fallback". A pattern's deny or ask and a guard's ask are never
//      sent to it, so they stand whatever it (or the fallback) would say.
// Every answer is logged through the store's group commit (store::ConfirmDecision), and a
// deny lowers the user's reputation.
//
// Threads: any; decide() blocks up to the reviewer's timeout, decide_async() never blocks
// (the reviewer call runs on the reviewer's threads, and `done` runs there).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "confirm/confirm_request.h"
#include "confirm/pattern_book.h"
#include "confirm/policy.h"
#include "confirm/reviewer.h"
#include "core/clock.h"
#include "core/tier.h"
#include "reputation/reputation_book.h"
#include "store/decision_store.h"

namespace gaia::confirm {

// Who asks, with the request.
struct ConfirmQuestion {
  ConfirmRequest request;
  std::string user;
  uint64_t key_id = 0;
  core::Tier tier = core::Tier::kDefault;
};

struct ConfirmAnswer {
  confirm::Verdict verdict = confirm::Verdict::kAsk;
  std::string reason;
  std::string source;  // pattern | option | environment | reviewer | fallback | default | ...
  std::optional<std::string> pattern_id;
  std::vector<confirm::PartDecision> parts;
  std::optional<int64_t> reviewer_latency_ms;
};

struct ConfirmerOptions {
  confirm::Verdict fallback = confirm::Verdict::kAsk;  // GAIA_CONFIRM_FALLBACK
};

class Confirmer {
 public:
  // `reviewer` null: no reviewer (CLAUDE_CONFIRM_AI_ENABLED off); `reputation` may be null.
  // Every reference must outlive the confirmer.
  Confirmer(const PatternBook& patterns, Reviewer* reviewer, reputation::ReputationBook* reputation,
            store::DecisionStore& store, const core::Clock& clock, ConfirmerOptions options)
      : patterns_(patterns),
        reviewer_(reviewer),
        reputation_(reputation),
        store_(store),
        clock_(clock),
        options_(options) {}

  ConfirmAnswer decide(const ConfirmQuestion& question);
  void decide_async(ConfirmQuestion question, std::function<void(ConfirmAnswer)> done);

  // {"decision","reason","source","pattern_id"?,"parts":[...]}
  static boost::json::object to_json(const ConfirmAnswer& answer);

 private:
  // The patterns' answer; `ask_reviewer` says whether the reviewer should now decide.
  ConfirmAnswer by_patterns(const ConfirmQuestion& q, bool& ask_reviewer) const;
  static ReviewerQuestion reviewer_question(const ConfirmQuestion& q, const ConfirmAnswer& a);
  void apply_review(ConfirmAnswer& answer, const core::Result<ReviewerAnswer>& review,
                    core::MonoTime asked) const;
  // Logs the answer and feeds the reputation.
  void finish(const ConfirmQuestion& q, const ConfirmAnswer& answer);

  const PatternBook& patterns_;
  Reviewer* const reviewer_;
  reputation::ReputationBook* const reputation_;
  store::DecisionStore& store_;
  const core::Clock& clock_;
  const ConfirmerOptions options_;
};

}  // namespace gaia::confirm
