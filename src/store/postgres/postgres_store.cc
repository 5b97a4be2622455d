#include "store/postgres/postgres_store.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "store/postgres/array_param.h"
#include "store/postgres/migrations.h"
#include "store/sql/violation_store.h"
#include "store/usage_fold.h"
#include "store/violation_fold.h"

namespace gaia::store::postgres {
namespace {

constexpr size_t kMaxBatch = 4096;
// How long usage and violations may wait for a commit: what a kill -9 can take back.
constexpr std::chrono::milliseconds kLinger{100};

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                           const core::Clock& clock) {
  auto reader = Connection::open(url);
  if (!reader.ok()) return reader.status();
  if (Status s = migrate(*reader.value()); !s.ok()) return s;
  auto writer = Connection::open(url);
  if (!writer.ok()) return writer.status();
  auto db = std::make_unique<Database>(std::move(reader.value()), std::move(writer.value()));
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(db), clock));
}

PostgresStore::PostgresStore(std::unique_ptr<Database> db, const core::Clock& clock)
    : db_(std::move(db)) {
  db_->queue = std::make_unique<WriteQueue>(
      [this](const WriteBatch& b) { return commit_batch(b, std::nullopt); },
      [this](const DeadLetter& d) { return add_dead_letter(d); }, kMaxBatch, kLinger, clock);
  compose({make_user_key_store(*db_), make_rule_store(*db_), make_audit_store(*db_),
           make_execution_store(*db_), make_usage_store(*db_), make_violation_store(*db_),
           make_decision_store(*db_), make_aggregate_store(*db_), make_pattern_store(*db_),
           make_reputation_store(*db_), make_alert_store(*db_), make_dead_letter_store(*db_)},
          *db_->queue);
}

// The writer drains before the connections go.
PostgresStore::~PostgresStore() { db_->queue.reset(); }

Result<std::vector<bool>> PostgresStore::commit_batch(const WriteBatch& batch,
                                                      std::optional<JournalMark> mark) {
  core::MutexLock lock(db_->write_mu);
  Connection& db = *db_->writer;
  return in_transaction(db, [&]() -> Result<std::vector<bool>> {
    std::vector<bool> inserted(batch.executions.size(), false);
    if (!batch.executions.empty()) {
      ArrayParam id(Element::kText), user(Element::kBigint), key(Element::kBigint),
          type(Element::kText), command(Element::kText), started(Element::kBigint),
          duration(Element::kBigint), cpu(Element::kBigint), memory(Element::kBigint),
          exit_code(Element::kInt), signal(Element::kInt);
      for (const Execution& e : batch.executions) {
        id.add(e.id);
        user.add(static_cast<int64_t>(e.user_id));
        key.add(static_cast<int64_t>(e.key_id));
        type.add(e.type);
        command.add(e.command);
        started.add(e.started_at_ms);
        duration.add(e.duration_ms);
        cpu.add(e.cpu_ms);
        memory.add(e.peak_memory_bytes);
        exit_code.add(e.exit_code);
        signal.add(e.signal);
      }
      // One statement for the whole batch. A user's repeated id, in the table or earlier in
      // the batch, inserts nothing; RETURNING names the rows that went in.
      auto rows = db.run(
          "insert_executions",
          "INSERT INTO executions (id, user_id, key_id, type, command, started_at_ms, "
          "duration_ms, cpu_ms, peak_memory_bytes, exit_code, signal) "
          "SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], "
          "$6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::int[], $11::int[]) "
          "ON CONFLICT (user_id, id) DO NOTHING RETURNING user_id, id",
          {id.take(), user.take(), key.take(), type.take(), command.take(), started.take(),
           duration.take(), cpu.take(), memory.take(), exit_code.take(), signal.take()});
      if (!rows.ok()) return rows.status();
      // The first occurrence of a new (user, id) is the one that went in.
      std::map<std::pair<uint64_t, std::string>, size_t> first;
      for (size_t i = batch.executions.size(); i-- > 0;) {
        first[{batch.executions[i].user_id, batch.executions[i].id}] = i;
      }
      for (int r = 0; r < rows->size(); ++r) {
        inserted[first.at({rows->uint64(r, 0), rows->text(r, 1)})] = true;
      }
    }
    if (!batch.usage.empty()) {
      ArrayParam user(Element::kBigint), key(Element::kBigint), type(Element::kText),
          day(Element::kBigint), used(Element::kBigint);
      for (const Usage& u : fold_usage(batch.usage)) {
        user.add(static_cast<int64_t>(u.user_id));
        key.add(static_cast<int64_t>(u.key_id));
        type.add(u.type);
        day.add(u.day_start_ms);
        used.add(static_cast<int64_t>(u.used));
      }
      // The sum stops at the largest bigint (an overflow would fail the whole batch).
      auto rows =
          db.run("add_usage",
                 "INSERT INTO quota_usage (user_id, key_id, type, day_start_ms, used) "
                 "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], "
                 "$5::bigint[]) ON CONFLICT (user_id, key_id, type, day_start_ms) "
                 "DO UPDATE SET used = CASE WHEN quota_usage.used > 9223372036854775807 - "
                 "excluded.used THEN 9223372036854775807 ELSE quota_usage.used + excluded.used "
                 "END",
                 {user.take(), key.take(), type.take(), day.take(), used.take()});
      if (!rows.ok()) return rows.status();
    }
    if (!batch.violations.empty()) {
      ArrayParam user(Element::kBigint), key(Element::kBigint), type(Element::kText),
          limit(Element::kText), second(Element::kBigint), command(Element::kText),
          at(Element::kBigint), count(Element::kBigint), first(Element::kBigint);
      // Folded again: ON CONFLICT may touch a row once per statement, and a replayed journal
      // holds several episodes of one second.
      for (const Violation& v : fold_violations(batch.violations)) {
        user.add(static_cast<int64_t>(v.user_id));
        key.add(static_cast<int64_t>(v.key_id));
        type.add(v.type);
        limit.add(v.limit);
        second.add(episode_second(v));
        command.add(v.command);
        at.add(v.at_ms);
        count.add(static_cast<int64_t>(v.count));
        first.add(v.first_ms());
      }
      static const std::string kUpsert =
          std::string(
              "INSERT INTO violations (user_id, key_id, type, limit_name, second, command, "
              "at_ms, count, first_ms) SELECT * FROM unnest($1::bigint[], $2::bigint[], "
              "$3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], "
              "$8::bigint[], $9::bigint[])") +
          sql::kMergeViolationEpisode;
      auto rows = db.run("add_violations", kUpsert.c_str(),
                         {user.take(), key.take(), type.take(), limit.take(), second.take(),
                          command.take(), at.take(), count.take(), first.take()});
      if (!rows.ok()) return rows.status();
    }
    if (!batch.decisions.empty()) {
      ArrayParam at(Element::kBigint), user(Element::kText), key(Element::kBigint),
          command(Element::kText), cwd(Element::kText), session(Element::kText),
          tool(Element::kText), decision(Element::kText), source(Element::kText),
          pattern(Element::kText), reason(Element::kText), latency(Element::kBigint);
      for (const ConfirmDecision& d : batch.decisions) {
        at.add(d.at_ms);
        user.add(d.user);
        key.add(static_cast<int64_t>(d.key_id));
        command.add(d.command);
        cwd.add(d.cwd);
        session.add(d.session_id);
        tool.add(d.tool);
        decision.add(d.decision);
        source.add(d.source);
        pattern.add(d.pattern_id);
        reason.add(d.reason);
        latency.add(d.reviewer_latency_ms);
      }
      auto rows = db.run(
          "add_confirm_decisions",
          "INSERT INTO confirm_decisions (at_ms, user_name, key_id, command, cwd, session_id, "
          "tool, decision, source, pattern_id, reason, reviewer_latency_ms) "
          "SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], "
          "$6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], "
          "$12::bigint[])",
          {at.take(), user.take(), key.take(), command.take(), cwd.take(), session.take(),
           tool.take(), decision.take(), source.take(), pattern.take(), reason.take(),
           latency.take()});
      if (!rows.ok()) return rows.status();
    }
    if (mark) {
      // The segment id is 64 random bits: stored as the signed integer of the same bits.
      auto rows = db.run("journal_mark",
                         "INSERT INTO journal_marks (segment, through_seq) VALUES ($1, $2) "
                         "ON CONFLICT (segment) DO UPDATE SET through_seq = "
                         "GREATEST(journal_marks.through_seq, excluded.through_seq)",
                         {param(mark->segment), param(mark->through_seq)});
      if (!rows.ok()) return rows.status();
    }
    return inserted;
  });
}

Result<uint64_t> PostgresStore::journal_applied_through(uint64_t segment) {
  core::MutexLock lock(db_->mu);
  auto rows =
      db_->conn->run("journal_applied_through",
                     "SELECT through_seq FROM journal_marks WHERE segment = $1", {param(segment)});
  if (!rows.ok()) return rows.status();
  return rows->size() == 0 ? uint64_t{0} : rows->uint64(0, 0);
}

}  // namespace gaia::store::postgres
