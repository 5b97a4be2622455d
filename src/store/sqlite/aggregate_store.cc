// SqliteStore's analytics aggregates (store/aggregate_store.h).

#include "store/sql/aggregate_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

// Appends `rows` with the connection's open transaction.
Status insert_aggregates(Connection& db, const std::vector<AggregateRow>& rows) {
  if (rows.empty()) return {};
  auto stmt = db.prepare(
      "INSERT INTO analytics_aggregates (granularity, bucket_start_ms, user_id, key_id, type, "
      "outcome, limit_name, count, cost, duration_ms_sum, duration_ms_max, cpu_ms_sum, "
      "cpu_ms_max, peak_memory_max, duration_sketch, cpu_sketch, memory_sketch) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
  if (!stmt.ok()) return stmt.status();
  for (const AggregateRow& a : rows) {
    Status s = stmt->bind(1, static_cast<int64_t>(a.granularity))
                   .bind(2, a.bucket_start_ms)
                   .bind(3, static_cast<int64_t>(a.user_id))
                   .bind(4, static_cast<int64_t>(a.key_id))
                   .bind(5, a.type)
                   .bind(6, a.outcome)
                   .bind(7, a.limit)
                   .bind(8, static_cast<int64_t>(a.count))
                   .bind(9, static_cast<int64_t>(a.cost))
                   .bind(10, a.duration_ms_sum)
                   .bind(11, a.duration_ms_max)
                   .bind(12, a.cpu_ms_sum)
                   .bind(13, a.cpu_ms_max)
                   .bind(14, a.peak_memory_max)
                   .bind_blob(15, a.duration_sketch)
                   .bind_blob(16, a.cpu_sketch)
                   .bind_blob(17, a.memory_sketch)
                   .run();
    if (!s.ok()) return s;
  }
  return {};
}

class SqliteAggregateStore final : public AggregateStore {
 public:
  explicit SqliteAggregateStore(Database& db) : db_(db) {}

  Status add_aggregates(const std::vector<AggregateRow>& rows) override;
  Status scan_aggregates(const AggregateFilter& filter,
                         const std::function<void(const AggregateRowView&)>& fn) override;
  Status replace_aggregates(const AggregateScope& scope,
                            const std::vector<AggregateRow>& rows) override;
  Result<uint64_t> delete_aggregates_before(Granularity g, int64_t before_ms) override;

 private:
  Database& db_;
};

Status SqliteAggregateStore::add_aggregates(const std::vector<AggregateRow>& rows) {
  if (rows.empty()) return {};
  core::MutexLock lock(db_.write_mu);
  Connection& db = *db_.writer;
  auto done = in_transaction(db, [&]() -> Result<bool> {
    if (Status s = insert_aggregates(db, rows); !s.ok()) return s;
    return true;
  });
  return done.ok() ? Status() : done.status();
}

Status SqliteAggregateStore::scan_aggregates(
    const AggregateFilter& f, const std::function<void(const AggregateRowView&)>& fn) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(
      "SELECT granularity, bucket_start_ms, user_id, key_id, type, outcome, limit_name, count, "
      "cost, duration_ms_sum, duration_ms_max, cpu_ms_sum, cpu_ms_max, peak_memory_max, "
      "duration_sketch, cpu_sketch, memory_sketch FROM analytics_aggregates "
      "WHERE granularity = ?1 AND bucket_start_ms >= ?2 AND bucket_start_ms < ?3 "
      "AND (?4 IS NULL OR user_id = ?4) AND (?5 IS NULL OR type = ?5) "
      "AND (?6 IS NULL OR outcome = ?6)");
  if (!stmt.ok()) return stmt.status();
  Statement& r = stmt.value();
  r.bind(1, static_cast<int64_t>(f.granularity)).bind(2, f.from_ms).bind(3, f.to_ms);
  r.bind(4, f.user_id);
  r.bind_text_or_null(5, f.type).bind_text_or_null(6, f.outcome);
  for (;;) {
    auto row = r.step();
    if (!row.ok()) return row.status();
    if (!row.value()) return {};
    AggregateRowView a;
    a.granularity = static_cast<Granularity>(r.int64(0));
    a.bucket_start_ms = r.int64(1);
    a.user_id = r.uint64(2);
    a.key_id = r.uint64(3);
    a.type = r.text_view(4);
    a.outcome = r.text_view(5);
    a.limit = r.text_view(6);
    a.count = r.uint64(7);
    a.cost = r.uint64(8);
    a.duration_ms_sum = r.int64(9);
    a.duration_ms_max = r.int64(10);
    a.cpu_ms_sum = r.int64(11);
    a.cpu_ms_max = r.int64(12);
    a.peak_memory_max = r.int64(13);
    // Blobs, not text: binary sketches as written; text ones (earlier rows) unconverted.
    a.duration_sketch = r.blob(14);
    a.cpu_sketch = r.blob(15);
    a.memory_sketch = r.blob(16);
    fn(a);
  }
}

Status SqliteAggregateStore::replace_aggregates(const AggregateScope& scope,
                                                const std::vector<AggregateRow>& rows) {
  core::MutexLock lock(db_.write_mu);
  Connection& db = *db_.writer;
  auto done = in_transaction(db, [&]() -> Result<bool> {
    auto del = db.prepare(
        "DELETE FROM analytics_aggregates WHERE granularity = ?1 AND bucket_start_ms >= ?2 "
        "AND bucket_start_ms < ?3 AND (?4 = '' OR instr(?4, ',' || outcome || ',') > 0)");
    if (!del.ok()) return del.status();
    std::string outcomes;
    if (!scope.outcomes.empty()) {
      outcomes = ",";
      for (const std::string& o : scope.outcomes) outcomes += o + ",";
    }
    if (Status s = del->bind(1, static_cast<int64_t>(scope.granularity))
                       .bind(2, scope.from_ms)
                       .bind(3, scope.to_ms)
                       .bind(4, outcomes)
                       .run();
        !s.ok()) {
      return s;
    }
    if (Status s = insert_aggregates(db, rows); !s.ok()) return s;
    return true;
  });
  return done.ok() ? Status() : done.status();
}

Result<uint64_t> SqliteAggregateStore::delete_aggregates_before(Granularity g, int64_t before_ms) {
  core::MutexLock lock(db_.write_mu);
  auto stmt = db_.writer->prepare(sql::kDeleteAggregatesBefore);
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(g)).bind(2, before_ms).run(); !s.ok()) {
    return s;
  }
  return static_cast<uint64_t>(db_.writer->changes());
}

}  // namespace

std::unique_ptr<AggregateStore> make_aggregate_store(Database& db) {
  return std::make_unique<SqliteAggregateStore>(db);
}

}  // namespace gaia::store::sqlite
