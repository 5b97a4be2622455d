#include "store/postgres/postgres_store.h"

#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "store/detail/violation_listing.h"
#include "store/postgres/migrations.h"
#include "store/postgres/text_array.h"
#include "store/usage_fold.h"

namespace gaia::store::postgres {
namespace {

constexpr size_t kMaxBatch = 4096;
// How long usage and violations may wait for a commit: what a kill -9 can take back.
constexpr std::chrono::milliseconds kLinger{100};

User user_of(const Rows& rows, int i) {
  return User{rows.uint64(i, 0), rows.text(i, 1),
              core::parse_tier(rows.text(i, 2)).value_or(core::Tier::kDefault), rows.int64(i, 3)};
}

std::string hex_bytes(const KeyHash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  for (uint8_t b : hash) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

Execution execution_of(const Rows& r, int i) {
  Execution e;
  e.id = r.text(i, 0);
  e.user_id = r.uint64(i, 1);
  e.key_id = r.uint64(i, 2);
  e.type = r.text(i, 3);
  e.command = r.text(i, 4);
  e.started_at_ms = r.int64(i, 5);
  e.duration_ms = r.int64(i, 6);
  e.cpu_ms = r.int64(i, 7);
  e.peak_memory_bytes = r.int64(i, 8);
  if (auto v = r.optional_int(i, 9)) e.exit_code = static_cast<int>(*v);
  if (auto v = r.optional_int(i, 10)) e.signal = static_cast<int>(*v);
  return e;
}

// Appends `rows` in one statement, inside the connection's open transaction.
Status insert_aggregates(Connection& db, const std::vector<AggregateRow>& rows) {
  if (rows.empty()) return {};
  TextArray granularity, bucket, user, key, type, outcome, limit, count, cost, dsum, dmax, csum,
      cmax, mmax, dsk, csk, msk;
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
    dsk.add_bytes(a.duration_sketch);
    csk.add_bytes(a.cpu_sketch);
    msk.add_bytes(a.memory_sketch);
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

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                           const core::Clock& clock) {
  auto reader = Connection::open(url);
  if (!reader.ok()) return reader.status();
  if (Status s = migrate(*reader.value()); !s.ok()) return s;
  auto writer = Connection::open(url);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::move(reader.value()), std::move(writer.value()), clock));
}

PostgresStore::PostgresStore(std::unique_ptr<Connection> reader, std::unique_ptr<Connection> writer,
                             const core::Clock& clock)
    : db_(std::move(reader)), writer_db_(std::move(writer)) {
  queue_ = std::make_unique<WriteQueue>(
      [this](const WriteBatch& b) { return commit_batch(b, std::nullopt); }, kMaxBatch, kLinger,
      clock);
}

PostgresStore::~PostgresStore() { queue_.reset(); }  // the writer drains before the connections go

Result<User> PostgresStore::create_user(std::string_view name, core::Tier tier, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("create_user",
                       "INSERT INTO users (name, tier, created_at_ms) VALUES ($1, $2, $3) "
                       "ON CONFLICT (name) DO NOTHING RETURNING id",
                       {param(name), param(core::tier_name(tier)), param(now_ms)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return Status::invalid_argument("user " + std::string(name) + " exists");
  return User{rows->uint64(0, 0), std::string(name), tier, now_ms};
}

Result<std::optional<User>> PostgresStore::find_user(std::string_view name) {
  std::lock_guard lock(mu_);
  auto rows =
      db_->run("find_user", "SELECT id, name, tier, created_at_ms FROM users WHERE name = $1",
               {param(name)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<User>();
  return std::optional<User>(user_of(rows.value(), 0));
}

Result<std::vector<User>> PostgresStore::list_users() {
  std::lock_guard lock(mu_);
  auto rows =
      db_->run("list_users", "SELECT id, name, tier, created_at_ms FROM users ORDER BY name", {});
  if (!rows.ok()) return rows.status();
  std::vector<User> users;
  for (int i = 0; i < rows->size(); ++i) users.push_back(user_of(rows.value(), i));
  return users;
}

Status PostgresStore::set_tier(uint64_t user_id, core::Tier tier) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("set_tier", "UPDATE users SET tier = $2 WHERE id = $1",
                       {param(user_id), param(core::tier_name(tier))});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no user with id " + std::to_string(user_id));
  return {};
}

Result<ApiKey> PostgresStore::create_key(uint64_t user_id, Role role, std::string_view label,
                                         const KeyHash& hash, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("create_key",
                       "INSERT INTO api_keys (user_id, role, label, hash, created_at_ms) "
                       "VALUES ($1, $2, $3, $4::bytea, $5) RETURNING id",
                       {param(user_id), param(role_name(role)), param(label),
                        param(hex_bytes(hash)), param(now_ms)});
  if (!rows.ok()) return rows.status();
  ApiKey key;
  key.id = rows->uint64(0, 0);
  key.user_id = user_id;
  key.role = role;
  key.label = std::string(label);
  key.hash = hash;
  key.created_at_ms = now_ms;
  return key;
}

Result<std::vector<ApiKey>> PostgresStore::list_keys() {
  std::lock_guard lock(mu_);
  auto rows = db_->run("list_keys",
                       "SELECT id, user_id, role, label, hash, created_at_ms, revoked_at_ms "
                       "FROM api_keys ORDER BY id",
                       {});
  if (!rows.ok()) return rows.status();
  std::vector<ApiKey> keys;
  for (int i = 0; i < rows->size(); ++i) {
    ApiKey key;
    key.id = rows->uint64(i, 0);
    key.user_id = rows->uint64(i, 1);
    key.role = parse_role(rows->text(i, 2)).value_or(Role::kUser);
    key.label = rows->text(i, 3);
    std::string hash = rows->bytes(i, 4);
    if (hash.size() != key.hash.size()) {
      return Status::internal("api_keys.hash of key " + std::to_string(key.id) + ": wrong size");
    }
    std::copy(hash.begin(), hash.end(), key.hash.begin());
    key.created_at_ms = rows->int64(i, 5);
    key.revoked_at_ms = rows->optional_int(i, 6);
    keys.push_back(std::move(key));
  }
  return keys;
}

Status PostgresStore::revoke_key(uint64_t key_id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("revoke_key",
                       "UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, $2) "
                       "WHERE id = $1",
                       {param(key_id), param(now_ms)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no key with id " + std::to_string(key_id));
  return {};
}

Result<std::vector<uint64_t>> PostgresStore::add_rules(const std::vector<std::string>& bodies,
                                                       int64_t now_ms) {
  std::lock_guard lock(mu_);
  return in_transaction(*db_, [&]() -> Result<std::vector<uint64_t>> {
    std::vector<uint64_t> ids;
    for (const std::string& body : bodies) {
      auto rows = db_->run("add_rule",
                           "INSERT INTO quota_rules (name, body, updated_at_ms) "
                           "VALUES ('', $1, $2) RETURNING id",
                           {param(body), param(now_ms)});
      if (!rows.ok()) return rows.status();
      ids.push_back(rows->uint64(0, 0));
    }
    return ids;
  });
}

Result<std::vector<StoredRule>> PostgresStore::list_rules() {
  std::lock_guard lock(mu_);
  auto rows =
      db_->run("list_rules", "SELECT id, body, updated_at_ms FROM quota_rules ORDER BY id", {});
  if (!rows.ok()) return rows.status();
  std::vector<StoredRule> rules;
  for (int i = 0; i < rows->size(); ++i) {
    rules.push_back({rows->uint64(i, 0), rows->text(i, 1), rows->int64(i, 2)});
  }
  return rules;
}

Status PostgresStore::update_rule(uint64_t id, std::string_view body, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto rows =
      db_->run("update_rule", "UPDATE quota_rules SET body = $2, updated_at_ms = $3 WHERE id = $1",
               {param(id), param(body), param(now_ms)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no rule with id " + std::to_string(id));
  return {};
}

Result<std::vector<uint64_t>> PostgresStore::replace_rules(const std::vector<uint64_t>& remove,
                                                           const std::vector<std::string>& bodies,
                                                           int64_t now_ms) {
  std::lock_guard lock(mu_);
  return in_transaction(*db_, [&]() -> Result<std::vector<uint64_t>> {
    for (uint64_t id : remove) {
      auto rows = db_->run("delete_rule", "DELETE FROM quota_rules WHERE id = $1", {param(id)});
      if (!rows.ok()) return rows.status();
      if (rows->affected() == 0) return Status::not_found("no rule with id " + std::to_string(id));
    }
    std::vector<uint64_t> ids;
    for (const std::string& body : bodies) {
      auto rows = db_->run("add_rule",
                           "INSERT INTO quota_rules (name, body, updated_at_ms) "
                           "VALUES ('', $1, $2) RETURNING id",
                           {param(body), param(now_ms)});
      if (!rows.ok()) return rows.status();
      ids.push_back(rows->uint64(0, 0));
    }
    return ids;
  });
}

Status PostgresStore::append_audit(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("append_audit",
                       "INSERT INTO audit_log (actor, action, target, before, after, at_ms) "
                       "VALUES ($1, $2, $3, $4, $5, $6)",
                       {param(e.actor), param(e.action), param(e.target), param(e.before),
                        param(e.after), param(e.at_ms)});
  return rows.ok() ? Status() : rows.status();
}

Result<std::vector<AuditEntry>> PostgresStore::audit_since(int64_t since_ms) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("audit_since",
                       "SELECT actor, action, target, before, after, at_ms FROM audit_log "
                       "WHERE at_ms >= $1 ORDER BY id",
                       {param(since_ms)});
  if (!rows.ok()) return rows.status();
  std::vector<AuditEntry> entries;
  for (int i = 0; i < rows->size(); ++i) {
    entries.push_back({rows->text(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3),
                       rows->text(i, 4), rows->int64(i, 5)});
  }
  return entries;
}

void PostgresStore::record_execution(Execution execution, RecordDone done) {
  queue_->push(std::move(execution), std::move(done));
}
void PostgresStore::add_usage(Usage delta) { queue_->push(std::move(delta)); }
void PostgresStore::record_violation(Violation violation) { queue_->push(std::move(violation)); }
void PostgresStore::record_decision(ConfirmDecision decision) { queue_->push(std::move(decision)); }
Status PostgresStore::flush() { return queue_->flush(); }
StoreHealth PostgresStore::health() { return queue_->health(); }
void PostgresStore::set_commit_observer(std::function<void(double)> observer) {
  queue_->set_commit_observer(std::move(observer));
}

Result<std::vector<bool>> PostgresStore::commit_batch(const WriteBatch& batch,
                                                      std::optional<JournalMark> mark) {
  std::lock_guard lock(write_mu_);
  Connection& db = *writer_db_;
  return in_transaction(db, [&]() -> Result<std::vector<bool>> {
    std::vector<bool> inserted(batch.executions.size(), false);
    if (!batch.executions.empty()) {
      TextArray id, user, key, type, command, started, duration, cpu, memory, exit_code, signal;
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
      // One statement for the whole batch. A repeated id, in the table or earlier in the
      // batch, inserts nothing; RETURNING names the rows that went in.
      auto rows = db.run(
          "insert_executions",
          "INSERT INTO executions (id, user_id, key_id, type, command, started_at_ms, "
          "duration_ms, cpu_ms, peak_memory_bytes, exit_code, signal) "
          "SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], "
          "$6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::int[], $11::int[]) "
          "ON CONFLICT (id) DO NOTHING RETURNING id",
          {id.take(), user.take(), key.take(), type.take(), command.take(), started.take(),
           duration.take(), cpu.take(), memory.take(), exit_code.take(), signal.take()});
      if (!rows.ok()) return rows.status();
      // The first occurrence of a new id is the one that went in.
      std::unordered_map<std::string, size_t> first;
      for (size_t i = batch.executions.size(); i-- > 0;) first[batch.executions[i].id] = i;
      for (int r = 0; r < rows->size(); ++r) inserted[first.at(rows->text(r, 0))] = true;
    }
    if (!batch.usage.empty()) {
      TextArray user, key, type, day, used;
      for (const Usage& u : fold_usage(batch.usage)) {
        user.add(static_cast<int64_t>(u.user_id));
        key.add(static_cast<int64_t>(u.key_id));
        type.add(u.type);
        day.add(u.day_start_ms);
        used.add(static_cast<int64_t>(u.used));
      }
      auto rows =
          db.run("add_usage",
                 "INSERT INTO quota_usage (user_id, key_id, type, day_start_ms, used) "
                 "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], "
                 "$5::bigint[]) ON CONFLICT (user_id, key_id, type, day_start_ms) "
                 "DO UPDATE SET used = quota_usage.used + excluded.used",
                 {user.take(), key.take(), type.take(), day.take(), used.take()});
      if (!rows.ok()) return rows.status();
    }
    if (!batch.violations.empty()) {
      TextArray user, key, type, limit, command, at;
      for (const Violation& v : batch.violations) {
        user.add(static_cast<int64_t>(v.user_id));
        key.add(static_cast<int64_t>(v.key_id));
        type.add(v.type);
        limit.add(v.limit);
        command.add(v.command);
        at.add(v.at_ms);
      }
      auto rows =
          db.run("add_violations",
                 "INSERT INTO violations (user_id, key_id, type, limit_name, command, "
                 "at_ms) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
                 "$4::text[], $5::text[], $6::bigint[])",
                 {user.take(), key.take(), type.take(), limit.take(), command.take(), at.take()});
      if (!rows.ok()) return rows.status();
    }
    if (!batch.decisions.empty()) {
      TextArray at, user, key, command, cwd, session, tool, decision, source, pattern, reason,
          latency;
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
  std::lock_guard lock(mu_);
  auto rows =
      db_->run("journal_applied_through",
               "SELECT through_seq FROM journal_marks WHERE segment = $1", {param(segment)});
  if (!rows.ok()) return rows.status();
  return rows->size() == 0 ? uint64_t{0} : rows->uint64(0, 0);
}

Result<std::vector<Usage>> PostgresStore::usage_since(int64_t day_start_ms) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("usage_since",
                       "SELECT user_id, key_id, type, day_start_ms, used FROM quota_usage "
                       "WHERE day_start_ms >= $1",
                       {param(day_start_ms)});
  if (!rows.ok()) return rows.status();
  std::vector<Usage> usage;
  for (int i = 0; i < rows->size(); ++i) {
    usage.push_back({rows->uint64(i, 0), rows->uint64(i, 1), rows->text(i, 2), rows->int64(i, 3),
                     rows->uint64(i, 4)});
  }
  return usage;
}

Result<std::vector<Violation>> PostgresStore::violations_since(int64_t since_ms) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("violations_since",
                       "SELECT user_id, key_id, type, limit_name, command, at_ms FROM violations "
                       "WHERE at_ms >= $1 ORDER BY id",
                       {param(since_ms)});
  if (!rows.ok()) return rows.status();
  std::vector<Violation> violations;
  for (int i = 0; i < rows->size(); ++i) {
    violations.push_back({rows->uint64(i, 0), rows->uint64(i, 1), rows->text(i, 2),
                          rows->text(i, 3), rows->text(i, 4), rows->int64(i, 5)});
  }
  return violations;
}

Result<std::vector<ViolationRecord>> PostgresStore::list_violations(const ViolationFilter& f) {
  std::lock_guard lock(mu_);
  const detail::ViolationListing query = detail::violation_listing(f, '$');
  std::vector<Param> params;
  detail::for_each_violation_parameter(f, [&](const auto& v) { params.push_back(param(v)); });
  const std::string name = "list_violations_" + std::to_string(query.shape);
  auto rows = db_->run(name.c_str(), query.sql.c_str(), params);
  if (!rows.ok()) return rows.status();
  std::vector<ViolationRecord> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->uint64(i, 0),
                   {rows->uint64(i, 1), rows->uint64(i, 2), rows->text(i, 3), rows->text(i, 4),
                    rows->text(i, 5), rows->int64(i, 6)}});
  }
  return out;
}

Result<uint64_t> PostgresStore::delete_usage(uint64_t user_id, int64_t since_day_start_ms) {
  std::lock_guard lock(mu_);
  auto rows =
      db_->run("delete_usage", "DELETE FROM quota_usage WHERE user_id = $1 AND day_start_ms >= $2",
               {param(user_id), param(since_day_start_ms)});
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

Result<std::optional<Execution>> PostgresStore::find_execution(std::string_view id) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("find_execution",
                       "SELECT id, user_id, key_id, type, command, started_at_ms, duration_ms, "
                       "cpu_ms, peak_memory_bytes, exit_code, signal FROM executions WHERE id = $1",
                       {param(id)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<Execution>();
  return std::optional<Execution>(execution_of(rows.value(), 0));
}

Result<uint64_t> PostgresStore::count_executions() {
  std::lock_guard lock(mu_);
  auto rows = db_->run("count_executions", "SELECT COUNT(*) FROM executions", {});
  if (!rows.ok()) return rows.status();
  return rows->uint64(0, 0);
}

Result<uint64_t> PostgresStore::delete_executions_before(int64_t before_ms) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("delete_executions_before",
                       "DELETE FROM executions WHERE started_at_ms < $1", {param(before_ms)});
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

Result<std::vector<ConfirmDecision>> PostgresStore::list_decisions(const DecisionFilter& f) {
  std::lock_guard lock(mu_);
  auto rows = db_->run(
      "list_confirm_decisions",
      "SELECT id, at_ms, user_name, key_id, command, cwd, session_id, tool, decision, source, "
      "pattern_id, reason, reviewer_latency_ms FROM confirm_decisions "
      "WHERE ($1::text IS NULL OR user_name = $1) AND ($2::text IS NULL OR decision = $2) "
      "AND ($3::text IS NULL OR source = $3) AND ($4::bigint IS NULL OR at_ms >= $4) "
      "AND ($5::bigint IS NULL OR at_ms < $5) AND ($6::bigint IS NULL OR id < $6) "
      "ORDER BY id DESC LIMIT $7",
      {text_or_null(f.user), text_or_null(f.decision), text_or_null(f.source), param(f.from_ms),
       param(f.to_ms), param(f.before_id), param(static_cast<int64_t>(f.limit))});
  if (!rows.ok()) return rows.status();
  std::vector<ConfirmDecision> out;
  for (int i = 0; i < rows->size(); ++i) {
    ConfirmDecision d;
    d.id = rows->uint64(i, 0);
    d.at_ms = rows->int64(i, 1);
    d.user = rows->text(i, 2);
    d.key_id = rows->uint64(i, 3);
    d.command = rows->text(i, 4);
    d.cwd = rows->text(i, 5);
    d.session_id = rows->text(i, 6);
    d.tool = rows->text(i, 7);
    d.decision = rows->text(i, 8);
    d.source = rows->text(i, 9);
    d.pattern_id = rows->text(i, 10);
    d.reason = rows->text(i, 11);
    d.reviewer_latency_ms = rows->optional_int(i, 12);
    out.push_back(std::move(d));
  }
  return out;
}

Status PostgresStore::scan_executions(int64_t from_ms, int64_t to_ms,
                                      const std::function<void(const Execution&)>& fn) {
  constexpr int64_t kPage = 10'000;
  // Keyset pagination on (started_at_ms, id): the lock is held for one page at a time.
  std::optional<std::pair<int64_t, std::string>> after;
  for (;;) {
    std::vector<Execution> page;
    {
      std::lock_guard lock(mu_);
      auto rows = db_->run(
          "scan_executions",
          "SELECT id, user_id, key_id, type, command, started_at_ms, duration_ms, cpu_ms, "
          "peak_memory_bytes, exit_code, signal FROM executions "
          "WHERE started_at_ms >= $1 AND started_at_ms < $2 AND ($3::bigint IS NULL OR "
          "(started_at_ms, id) > ($3::bigint, $4::text)) ORDER BY started_at_ms, id LIMIT $5",
          {param(from_ms), param(to_ms), after ? param(after->first) : std::nullopt,
           after ? param(after->second) : std::nullopt, param(kPage)});
      if (!rows.ok()) return rows.status();
      page.reserve(static_cast<size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) page.push_back(execution_of(rows.value(), i));
    }
    for (const Execution& e : page) fn(e);
    if (static_cast<int64_t>(page.size()) < kPage) return {};
    after.emplace(page.back().started_at_ms, page.back().id);
  }
}

Status PostgresStore::add_aggregates(const std::vector<AggregateRow>& rows) {
  if (rows.empty()) return {};
  std::lock_guard lock(write_mu_);
  auto done = in_transaction(*writer_db_, [&]() -> Result<bool> {
    if (Status s = insert_aggregates(*writer_db_, rows); !s.ok()) return s;
    return true;
  });
  return done.ok() ? Status() : done.status();
}

Status PostgresStore::scan_aggregates(const AggregateFilter& f,
                                      const std::function<void(const AggregateRowView&)>& fn) {
  std::lock_guard lock(mu_);
  auto rows = db_->run(
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

Status PostgresStore::replace_aggregates(const AggregateScope& scope,
                                         const std::vector<AggregateRow>& rows) {
  std::lock_guard lock(write_mu_);
  Connection& db = *writer_db_;
  auto done = in_transaction(db, [&]() -> Result<bool> {
    TextArray outcomes;
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

Result<uint64_t> PostgresStore::delete_aggregates_before(Granularity g, int64_t before_ms) {
  std::lock_guard lock(write_mu_);
  auto rows = writer_db_->run(
      "delete_aggregates_before",
      "DELETE FROM analytics_aggregates WHERE granularity = $1 AND bucket_start_ms < $2",
      {param(static_cast<int64_t>(g)), param(before_ms)});
  if (!rows.ok()) return rows.status();
  return rows->affected();
}

Result<std::vector<StoredPattern>> PostgresStore::list_patterns() {
  std::lock_guard lock(mu_);
  auto rows = db_->run("list_confirm_patterns",
                       "SELECT id, body, updated_at_ms FROM confirm_patterns ORDER BY id", {});
  if (!rows.ok()) return rows.status();
  std::vector<StoredPattern> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->text(i, 0), rows->text(i, 1), rows->int64(i, 2)});
  }
  return out;
}

Status PostgresStore::put_pattern(const StoredPattern& p) {
  std::lock_guard lock(mu_);
  auto rows = db_->run("put_confirm_pattern",
                       "INSERT INTO confirm_patterns (id, body, updated_at_ms) VALUES ($1, $2, $3) "
                       "ON CONFLICT (id) DO UPDATE SET body = excluded.body, "
                       "updated_at_ms = excluded.updated_at_ms",
                       {param(p.id), param(p.body), param(p.updated_at_ms)});
  return rows.ok() ? Status() : rows.status();
}

Status PostgresStore::delete_pattern(std::string_view id) {
  std::lock_guard lock(mu_);
  auto rows =
      db_->run("delete_confirm_pattern", "DELETE FROM confirm_patterns WHERE id = $1", {param(id)});
  if (!rows.ok()) return rows.status();
  if (rows->affected() == 0) return Status::not_found("no pattern " + std::string(id));
  return {};
}

Result<bool> PostgresStore::seed_patterns(const std::vector<StoredPattern>& patterns) {
  std::lock_guard lock(mu_);
  return in_transaction(*db_, [&]() -> Result<bool> {
    // Several servers may start at once: the primary key lets exactly one of them seed.
    const int64_t at_ms = patterns.empty() ? 0 : patterns.front().updated_at_ms;
    auto mark = db_->run("seed_confirm_mark",
                         "INSERT INTO confirm_patterns_seeded (one, at_ms) VALUES (1, $1) "
                         "ON CONFLICT (one) DO NOTHING",
                         {param(at_ms)});
    if (!mark.ok()) return mark.status();
    if (mark->affected() == 0) return false;
    for (const StoredPattern& p : patterns) {
      auto rows = db_->run("seed_confirm_pattern",
                           "INSERT INTO confirm_patterns (id, body, updated_at_ms) "
                           "VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                           {param(p.id), param(p.body), param(p.updated_at_ms)});
      if (!rows.ok()) return rows.status();
    }
    return true;
  });
}

Result<std::vector<ReputationState>> PostgresStore::list_reputations() {
  std::lock_guard lock(mu_);
  auto rows = db_->run(
      "list_reputations",
      "SELECT user_name, score, updated_at_ms, events FROM reputation ORDER BY user_name", {});
  if (!rows.ok()) return rows.status();
  std::vector<ReputationState> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->text(i, 0), std::strtod(rows->text(i, 1).c_str(), nullptr),
                   rows->int64(i, 2), rows->text(i, 3)});
  }
  return out;
}

Status PostgresStore::put_reputations(const std::vector<ReputationState>& states) {
  if (states.empty()) return {};
  std::lock_guard lock(mu_);
  auto done = in_transaction(*db_, [&]() -> Result<bool> {
    for (const ReputationState& r : states) {
      char score[32];
      std::snprintf(score, sizeof score, "%.17g", r.score);
      auto rows = db_->run("put_reputation",
                           "INSERT INTO reputation (user_name, score, updated_at_ms, events) "
                           "VALUES ($1, $2::double precision, $3, $4) ON CONFLICT (user_name) DO "
                           "UPDATE SET score = excluded.score, updated_at_ms = "
                           "excluded.updated_at_ms, events = excluded.events",
                           {param(r.user), Param(score), param(r.updated_at_ms), param(r.events)});
      if (!rows.ok()) return rows.status();
    }
    return true;
  });
  return done.ok() ? Status() : done.status();
}

}  // namespace gaia::store::postgres
