#pragma once
// The store: everything Gaia keeps, as one small interface per role (users and keys, rules,
// audit, executions, usage, violations, confirmation decisions, aggregates, patterns,
// reputation, alerts, dead letters; each in its own header), and Store, the whole: every role plus
// the plumbing of the write queue (flush, health, direct batch commits for the journal). A consumer
// that needs one role takes that role (`store::RuleStore&`); a Store is every role. Admin reads and
// writes are synchronous and durable when they return. The request path's writes (executions,
// usage, violations, decisions) are queued and group-committed by a writer thread; an execution's
// callback runs only once its row is durable. Implementations: sqlite/, postgres/ (one file per
// role each, composed by detail/composed_store.h), and the decorators built on ForwardingStore
// (event_feed.h, journal/ResilientStore). Thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/aggregate_store.h"
#include "store/alert_store.h"
#include "store/audit_store.h"
#include "store/dead_letter_store.h"
#include "store/decision_store.h"
#include "store/execution_store.h"
#include "store/pattern_store.h"
#include "store/reputation_store.h"
#include "store/rule_store.h"
#include "store/usage_store.h"
#include "store/user_key_store.h"
#include "store/violation_store.h"

namespace gaia::store {

struct StoreHealth {
  bool ok = true;
  std::string detail;        // the last write error, or why writes are journalled, while !ok
  size_t queued_writes = 0;  // waiting for the writer
  uint64_t commits = 0;      // group commits so far
  // While the database is away writes are made durable in a local journal (see
  // journal/resilient_store.h): ok is false, detail says why, and the journal's size shows.
  bool journaling = false;
  uint64_t journal_bytes = 0;      // journal not yet replayed into the database
  uint64_t journal_records = 0;    // records in it
  bool admissions_paused = false;  // GAIA_STORE_FAILURE=closed during an outage
  uint64_t dead_letters = 0;       // writes set aside since start (dead_letter_store.h)
};

// One group commit's writes.
struct WriteBatch {
  std::vector<Execution> executions;
  std::vector<Usage> usage;
  std::vector<Violation> violations;
  std::vector<ConfirmDecision> decisions;
  bool empty() const {
    return executions.empty() && usage.empty() && violations.empty() && decisions.empty();
  }
};

// Records of journal segment `segment` up to and including `through_seq` (see
// journal/journal.h); the database keeps the highest mark per segment so that a replayed
// segment is applied exactly once.
struct JournalMark {
  uint64_t segment = 0;
  uint64_t through_seq = 0;
};

class Store : public UserKeyStore,
              public RuleStore,
              public AuditStore,
              public ExecutionStore,
              public UsageStore,
              public ViolationStore,
              public DecisionStore,
              public AggregateStore,
              public PatternStore,
              public ReputationStore,
              public AlertStore,
              public DeadLetterStore {
 public:
  ~Store() override = default;

  // Blocks until every write queued before the call is durable (or failed).
  virtual Status flush() = 0;

  virtual StoreHealth health() = 0;
  // Called on the writer thread with the seconds each group commit took.
  virtual void set_commit_observer(std::function<void(double)> observer) = 0;

  // False while new admissions must be refused (the database is away and the configured
  // policy is to fail closed). Cheap: one atomic load, for the check path.
  virtual bool accepts_admissions() const { return true; }

  // Commits `batch` in one transaction now, on the calling thread, bypassing the queue;
  // with `mark`, records it in the same transaction. On success says, per execution, whether
  // it was new; on failure nothing of the batch is stored. kUnavailable means the database
  // could not be reached or was busy (worth retrying), anything else a real error.
  // Backends implement it; the default refuses.
  virtual Result<std::vector<bool>> commit_batch(const WriteBatch& batch,
                                                 std::optional<JournalMark> mark);
  // The highest through_seq recorded for journal `segment`, 0 if none.
  virtual Result<uint64_t> journal_applied_through(uint64_t segment);
};

}  // namespace gaia::store
