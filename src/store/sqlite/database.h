#pragma once
// What SqliteStore's role objects share: the two connections, their locks and the write queue,
// and the factories of the role objects, one per file (sqlite/<role>_store.cc), which
// SqliteStore composes (see store/detail/composed_store.h).
//
// Ownership: SqliteStore owns the Database; every role object borrows it.
// Threads: synchronous calls use `conn` under `mu`; the write queue's thread, commit_batch()
// callers and the aggregate writes use `writer` under `write_mu`.

#include <memory>

#include "core/mutex.h"
#include "store/sqlite/connection.h"
#include "store/store.h"
#include "store/write_queue.h"

namespace gaia::store::sqlite {

struct Database {
  Database(std::unique_ptr<Connection> conn_, std::unique_ptr<Connection> writer_)
      : conn(std::move(conn_)), writer(std::move(writer_)) {}

  core::Mutex mu;
  std::unique_ptr<Connection> conn GUARDED_BY(mu);
  core::Mutex write_mu;
  std::unique_ptr<Connection> writer GUARDED_BY(write_mu);
  // The request path's writes (record_execution, add_usage, ...) are pushed here; its writer
  // commits them with SqliteStore::commit_batch().
  std::unique_ptr<WriteQueue> queue;
};

std::unique_ptr<UserKeyStore> make_user_key_store(Database& db);
std::unique_ptr<RuleStore> make_rule_store(Database& db);
std::unique_ptr<AuditStore> make_audit_store(Database& db);
std::unique_ptr<DeadLetterStore> make_dead_letter_store(Database& db);
std::unique_ptr<ExecutionStore> make_execution_store(Database& db);
std::unique_ptr<UsageStore> make_usage_store(Database& db);
std::unique_ptr<ViolationStore> make_violation_store(Database& db);
std::unique_ptr<DecisionStore> make_decision_store(Database& db);
std::unique_ptr<AggregateStore> make_aggregate_store(Database& db);
std::unique_ptr<PatternStore> make_pattern_store(Database& db);
std::unique_ptr<ReputationStore> make_reputation_store(Database& db);
std::unique_ptr<AlertStore> make_alert_store(Database& db);

}  // namespace gaia::store::sqlite
