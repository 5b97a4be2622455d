#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "store/sql/violation_store.h"
#include "store/sqlite/migrations.h"
#include "store/usage_fold.h"
#include "store/violation_fold.h"

namespace gaia::store::sqlite {
namespace {

constexpr size_t kMaxBatch = 4096;
// How long usage and violations may wait for a commit: what a kill -9 can take back.
constexpr std::chrono::milliseconds kLinger{100};

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const core::Clock& clock) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    return Status::unavailable("cannot create directory " + parent.string() + ": " + ec.message());
  // SQLite gives its -wal, -shm and journal files the database file's mode: one private
  // file keeps them all private, whatever the process umask.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  auto reader = Connection::open(path);
  if (!reader.ok()) return reader.status();
  if (Status s = migrate(*reader.value()); !s.ok()) return s;
  auto writer = Connection::open(path);
  if (!writer.ok()) return writer.status();
  auto db = std::make_unique<Database>(std::move(reader.value()), std::move(writer.value()));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), clock));
}

SqliteStore::SqliteStore(std::unique_ptr<Database> db, const core::Clock& clock)
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
SqliteStore::~SqliteStore() { db_->queue.reset(); }

Result<std::vector<bool>> SqliteStore::commit_batch(const WriteBatch& batch,
                                                    std::optional<JournalMark> mark) {
  core::MutexLock lock(db_->write_mu);
  Connection& db = *db_->writer;
  // Each statement is kept by the writer's connection: prepared at the first commit only.
  return in_transaction(db, [&]() -> Result<std::vector<bool>> {
    std::vector<bool> inserted;
    inserted.reserve(batch.executions.size());
    if (!batch.executions.empty()) {
      auto stmt = db.kept(
          "INSERT INTO executions (id, user_id, key_id, type, command, started_at_ms, "
          "duration_ms, cpu_ms, peak_memory_bytes, exit_code, signal) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (user_id, id) DO "
          "NOTHING");
      if (!stmt.ok()) return stmt.status();
      for (const Execution& e : batch.executions) {
        Status s = stmt.value()
                       ->bind(1, e.id)
                       .bind(2, static_cast<int64_t>(e.user_id))
                       .bind(3, static_cast<int64_t>(e.key_id))
                       .bind(4, e.type)
                       .bind(5, e.command)
                       .bind(6, e.started_at_ms)
                       .bind(7, e.duration_ms)
                       .bind(8, e.cpu_ms)
                       .bind(9, e.peak_memory_bytes)
                       .bind(10, e.exit_code)
                       .bind(11, e.signal)
                       .run();
        if (!s.ok()) return s;
        inserted.push_back(db.changes() > 0);
      }
    }
    if (!batch.usage.empty()) {
      // The sum stops at the largest integer (SQLite would turn it into a float).
      auto stmt = db.kept(
          "INSERT INTO quota_usage (user_id, key_id, type, day_start_ms, used) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET used = CASE WHEN used > "
          "9223372036854775807 - excluded.used THEN 9223372036854775807 "
          "ELSE used + excluded.used END");
      if (!stmt.ok()) return stmt.status();
      for (const Usage& u : fold_usage(batch.usage)) {
        Status s = stmt.value()
                       ->bind(1, static_cast<int64_t>(u.user_id))
                       .bind(2, static_cast<int64_t>(u.key_id))
                       .bind(3, u.type)
                       .bind(4, u.day_start_ms)
                       .bind(5, static_cast<int64_t>(u.used))
                       .run();
        if (!s.ok()) return s;
      }
    }
    if (!batch.violations.empty()) {
      static const std::string kUpsert =
          std::string(
              "INSERT INTO violations (user_id, key_id, type, limit_name, second, command, "
              "at_ms, count, first_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") +
          sql::kMergeViolationEpisode;
      auto stmt = db.kept(kUpsert);
      if (!stmt.ok()) return stmt.status();
      // Folded again: a replayed journal holds several episodes of one second.
      for (const Violation& v : fold_violations(batch.violations)) {
        Status s = stmt.value()
                       ->bind(1, static_cast<int64_t>(v.user_id))
                       .bind(2, static_cast<int64_t>(v.key_id))
                       .bind(3, v.type)
                       .bind(4, v.limit)
                       .bind(5, episode_second(v))
                       .bind(6, v.command)
                       .bind(7, v.at_ms)
                       .bind(8, static_cast<int64_t>(v.count))
                       .bind(9, v.first_ms())
                       .run();
        if (!s.ok()) return s;
      }
    }
    if (!batch.decisions.empty()) {
      auto stmt = db.kept(
          "INSERT INTO confirm_decisions (at_ms, user_name, key_id, command, cwd, session_id, "
          "tool, decision, source, pattern_id, reason, reviewer_latency_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
      if (!stmt.ok()) return stmt.status();
      for (const ConfirmDecision& d : batch.decisions) {
        Status s = stmt.value()
                       ->bind(1, d.at_ms)
                       .bind(2, d.user)
                       .bind(3, static_cast<int64_t>(d.key_id))
                       .bind(4, d.command)
                       .bind(5, d.cwd)
                       .bind(6, d.session_id)
                       .bind(7, d.tool)
                       .bind(8, d.decision)
                       .bind(9, d.source)
                       .bind(10, d.pattern_id)
                       .bind(11, d.reason)
                       .bind(12, d.reviewer_latency_ms)
                       .run();
        if (!s.ok()) return s;
      }
    }
    if (mark) {
      // The segment id is 64 random bits: stored as the signed integer of the same bits.
      auto stmt = db.kept(
          "INSERT INTO journal_marks (segment, through_seq) VALUES (?1, ?2) "
          "ON CONFLICT (segment) DO UPDATE SET through_seq = MAX(through_seq, "
          "excluded.through_seq)");
      if (!stmt.ok()) return stmt.status();
      Status s = stmt.value()
                     ->bind(1, static_cast<int64_t>(mark->segment))
                     .bind(2, static_cast<int64_t>(mark->through_seq))
                     .run();
      if (!s.ok()) return s;
    }
    return inserted;
  });
}

Result<uint64_t> SqliteStore::journal_applied_through(uint64_t segment) {
  core::MutexLock lock(db_->mu);
  auto stmt = db_->conn->prepare("SELECT through_seq FROM journal_marks WHERE segment = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->bind(1, static_cast<int64_t>(segment)).step();
  if (!row.ok()) return row.status();
  return row.value() ? stmt->uint64(0) : uint64_t{0};
}

}  // namespace gaia::store::sqlite
