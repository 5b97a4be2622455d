// PostgresStore's analytics aggregates (store/aggregate_store.h).

#include "store/sql/aggregate_store.h"

#include "store/detail/sql_text.h"
#include "store/postgres/array_param.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

// Appends `rows` in one statement, inside the connection's open transaction.
Status insert_aggregates(Connection& db, const std::vector<AggregateRow>& rows) {
  if (rows.empty()) return {};
  ArrayParam granularity(Element::kSmallint), bucket(Element::kBigint), user(Element::kBigint),
      key(Element::kBigint), type(Element::kText), outcome(Element::kText), limit(Element::kText),
      count(Element::kBigint), cost(Element::kBigint), dsum(Element::kBigint),
      dmax(Element::kBigint), csum(Element::kBigint), cmax(Element::kBigint),
      mmax(Element::kBigint), dsk(Element::kBytea), csk(Element::kBytea), msk(Element::kBytea);
  for (const AggregateRow& a : rows) {
    granularity.add(static_cast<int64_t>(a.granularity));
    bucket.add(a.bucket_start_ms);
    user.add(static_cast<int64_t>(a.user_id));
    key.add(static_cast<int64_t>(a.key_id));
    type.add(a.type);
    outcome.add(a.outcome);
    limit.add(a.limit);
    count.add(static_cast<int64_t>(a.count));
    cost.add(static_cast<int64_t>(a.cost));
    dsum.add(a.duration_ms_sum);
    dmax.add(a.duration_ms_max);
    csum.add(a.cpu_ms_sum);
    cmax.add(a.cpu_ms_max);
    mmax.add(a.peak_memory_max);
    dsk.add(a.duration_sketch);
    csk.add(a.cpu_sketch);
    msk.add(a.memory_sketch);
  }
  auto done = db.run(
      "insert_aggregates",
      "INSERT INTO analytics_aggregates (granularity, bucket_start_ms, user_id, key_id, type, "
      "outcome, limit_name, count, cost, duration_ms_sum, duration_ms_max, cpu_ms_sum, "
      "cpu_ms_max, peak_memory_max, duration_sketch, cpu_sketch, memory_sketch) "
      "SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bigint[], $4::bigint[], "
      "$5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], "
      "$11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bytea[], $16::bytea[], "
      "$17::bytea[])",
      {granularity.take(), bucket.take(), user.take(), key.take(), type.take(), outcome.take(),
       limit.take(), count.take(), cost.take(), dsum.take(), dmax.take(), csum.take(), cmax.take(),
       mmax.take(), dsk.take(), csk.take(), msk.take()});
  return done.ok() ? Status() : done.status();
}

class PostgresAggregateStore final : public AggregateStore {
 public:
  explicit PostgresAggregateStore(Database& db) : db_(db) {}

  Status add_aggregates(const std::vector<AggregateRow>& rows) override;
  Status scan_aggregates(const AggregateFilter& filter,
                         const std::function<void(const AggregateRowView&)>& fn) override;
  Status replace_aggregates(const AggregateScope& scope,
                            const std::vector<AggregateRow>& rows) override;
  Result<uint64_t> delete_aggregates_before(Granularity g, int64_t before_ms) override;

 private:
  Database& db_;
};

Status PostgresAggregateStore::add_aggregates(const std::vector<AggregateRow>& rows) {
  if (rows.empty()) return {};
  core::MutexLock lock(db_.write_mu);
  Connection& db = *db_.writer;
  auto done = in_transaction(db, [&]() -> Result<bool> {
    if (Status s = insert_aggregates(db, rows); !s.ok()) return s;
    return true;
  });
  return done.ok() ? Status() : done.status();
}

Status PostgresAggregateStore::scan_aggregates(
    const AggregateFilter& f, const std::function<void(const AggregateRowView&)>& fn) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run(
      "scan_aggregates",
      "SELECT granularity, bucket_start_ms, user_id, key_id, type, outcome, limit_name, count, "
      "cost, duration_ms_sum, duration_ms_max, cpu_ms_sum, cpu_ms_max, peak_memory_max, "
      "duration_sketch, cpu_sketch, memory_sketch FROM analytics_aggregates "
      "WHERE granularity = $1 AND bucket_start_ms >= $2 AND bucket_start_ms < $3 "
      "AND ($4::bigint IS NULL OR user_id = $4) AND ($5::text IS NULL OR type = $5) "
      "AND ($6::text IS NULL OR outcome = $6)",
      {param(static_cast<int64_t>(f.granularity)), param(f.from_ms), param(f.to_ms),
       param(f.user_id), text_or_null(f.type), text_or_null(f.outcome)});
  if (!rows.ok()) return rows.status();
  const Rows& r = rows.value();
  // One buffer per sketch column for every row: bytea arrives as hex text to be decoded.
  std::string duration, cpu, memory;
  for (int i = 0; i < r.size(); ++i) {
    AggregateRowView a;
    a.granularity = static_cast<Granularity>(r.int64(i, 0));
    a.bucket_start_ms = r.int64(i, 1);
    a.user_id = r.uint64(i, 2);
    a.key_id = r.uint64(i, 3);
    a.type = r.view(i, 4);
    a.outcome = r.view(i, 5);
    a.limit = r.view(i, 6);
    a.count = r.uint64(i, 7);
    a.cost = r.uint64(i, 8);
    a.duration_ms_sum = r.int64(i, 9);
    a.duration_ms_max = r.int64(i, 10);
    a.cpu_ms_sum = r.int64(i, 11);
    a.cpu_ms_max = r.int64(i, 12);
    a.peak_memory_max = r.int64(i, 13);
    r.bytes_into(i, 14, duration);
    r.bytes_into(i, 15, cpu);
    r.bytes_into(i, 16, memory);
    a.duration_sketch = duration;
    a.cpu_sketch = cpu;
    a.memory_sketch = memory;
    fn(a);
  }
  return {};
}

Status PostgresAggregateStore::replace_aggregates(const AggregateScope& scope,
                                                  const std::vector<AggregateRow>& rows) {
  core::MutexLock lock(db_.write_mu);
  Connection& db = *db_.writer;
  auto done = in_transaction(db, [&]() -> Result<bool> {
    ArrayParam outcomes(Element::kText);
    for (const std::string& o : scope.outcomes) outcomes.add(o);
    auto del =
        db.run("replace_aggregates",
               "DELETE FROM analytics_aggregates WHERE granularity = $1 AND bucket_start_ms >= $2 "
               "AND bucket_start_ms < $3 AND ($4::text[] IS NULL OR outcome = ANY($4::text[]))",
               {param(static_cast<int64_t>(scope.granularity)), param(scope.from_ms),
                param(scope.to_ms), scope.outcomes.empty() ? std::nullopt : outcomes.take()});
    if (!del.ok()) return del.status();
    if (Status s = insert_aggregates(db, rows); !s.ok()) return s;
    return true;
  });
  return done.ok() ? Status() : done.status();
}

Result<uint64_t> PostgresAggregateStore::delete_aggregates_before(Granularity g,
                                                                  int64_t before_ms) {
  core::MutexLock lock(db_.write_mu);
  auto rows = db_.writer->run("delete_aggregates_before",
                              detail::postgres_text<sql::kDeleteAggregatesBefore>,
                              {param(static_cast<int64_t>(g)), param(before_ms)});
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

}  // namespace

std::unique_ptr<AggregateStore> make_aggregate_store(Database& db) {
  return std::make_unique<PostgresAggregateStore>(db);
}

}  // namespace gaia::store::postgres
