#include "store/sqlite/sqlite_store.h"

#include <filesystem>

#include "store/detail/violation_listing.h"
#include "store/sqlite/migrations.h"
#include "store/usage_fold.h"

namespace gaia::store::sqlite {
namespace {

constexpr size_t kMaxBatch = 4096;
// How long usage and violations may wait for a commit: what a kill -9 can take back.
constexpr std::chrono::milliseconds kLinger{100};

User user_of(const Statement& row) {
  User user;
  user.id = row.uint64(0);
  user.name = row.text(1);
  user.tier = core::parse_tier(row.text(2)).value_or(core::Tier::kDefault);
  user.created_at_ms = row.int64(3);
  return user;
}

Execution execution_of(const Statement& r) {
  Execution e;
  e.id = r.text(0);
  e.user_id = r.uint64(1);
  e.key_id = r.uint64(2);
  e.type = r.text(3);
  e.command = r.text(4);
  e.started_at_ms = r.int64(5);
  e.duration_ms = r.int64(6);
  e.cpu_ms = r.int64(7);
  e.peak_memory_bytes = r.int64(8);
  if (auto v = r.optional_int(9)) e.exit_code = static_cast<int>(*v);
  if (auto v = r.optional_int(10)) e.signal = static_cast<int>(*v);
  return e;
}

constexpr std::string_view kExecutionColumns =
    "SELECT id, user_id, key_id, type, command, started_at_ms, duration_ms, cpu_ms, "
    "peak_memory_bytes, exit_code, signal FROM executions ";

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

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const core::Clock& clock) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    return Status::unavailable("cannot create directory " + parent.string() + ": " + ec.message());
  auto reader = Connection::open(path);
  if (!reader.ok()) return reader.status();
  if (Status s = migrate(*reader.value()); !s.ok()) return s;
  auto writer = Connection::open(path);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(reader.value()), std::move(writer.value()), clock));
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> reader, std::unique_ptr<Connection> writer,
                         const core::Clock& clock)
    : db_(std::move(reader)), writer_db_(std::move(writer)) {
  queue_ = std::make_unique<WriteQueue>(
      [this](const WriteBatch& b) { return commit_batch(b, std::nullopt); }, kMaxBatch, kLinger,
      clock);
}

SqliteStore::~SqliteStore() { queue_.reset(); }  // the writer drains before the connections go

Result<User> SqliteStore::create_user(std::string_view name, core::Tier tier, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto exists = db_->prepare("SELECT 1 FROM users WHERE name = ?1");
  if (!exists.ok()) return exists.status();
  auto found = exists->bind(1, name).step();
  if (!found.ok()) return found.status();
  if (found.value()) return Status::invalid_argument("user " + std::string(name) + " exists");
  auto insert = db_->prepare("INSERT INTO users (name, tier, created_at_ms) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  if (Status s = insert->bind(1, name).bind(2, core::tier_name(tier)).bind(3, now_ms).run();
      !s.ok()) {
    return s;
  }
  return User{static_cast<uint64_t>(db_->last_insert_id()), std::string(name), tier, now_ms};
}

Result<std::optional<User>> SqliteStore::find_user(std::string_view name) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("SELECT id, name, tier, created_at_ms FROM users WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->bind(1, name).step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<User>();
  return std::optional<User>(user_of(stmt.value()));
}

Result<std::vector<User>> SqliteStore::list_users() {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("SELECT id, name, tier, created_at_ms FROM users ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<User>(user_of);
}

Status SqliteStore::set_tier(uint64_t user_id, core::Tier tier) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("UPDATE users SET tier = ?2 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(user_id)).bind(2, core::tier_name(tier)).run();
      !s.ok()) {
    return s;
  }
  if (db_->changes() == 0) return Status::not_found("no user with id " + std::to_string(user_id));
  return {};
}

Result<ApiKey> SqliteStore::create_key(uint64_t user_id, Role role, std::string_view label,
                                       const KeyHash& hash, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "INSERT INTO api_keys (user_id, role, label, hash, created_at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(user_id))
                     .bind(2, role_name(role))
                     .bind(3, label)
                     .bind_blob(4, hash.data(), hash.size())
                     .bind(5, now_ms)
                     .run();
      !s.ok()) {
    return s;
  }
  ApiKey key;
  key.id = static_cast<uint64_t>(db_->last_insert_id());
  key.user_id = user_id;
  key.role = role;
  key.label = std::string(label);
  key.hash = hash;
  key.created_at_ms = now_ms;
  return key;
}

Result<std::vector<ApiKey>> SqliteStore::list_keys() {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT id, user_id, role, label, hash, created_at_ms, revoked_at_ms FROM api_keys "
      "ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  std::optional<Status> bad_hash;
  auto keys = stmt->collect<ApiKey>([&](const Statement& r) {
    ApiKey key;
    key.id = r.uint64(0);
    key.user_id = r.uint64(1);
    key.role = parse_role(r.text(2)).value_or(Role::kUser);
    key.label = r.text(3);
    std::string_view hash = r.blob(4);
    if (hash.size() == key.hash.size()) {
      std::copy(hash.begin(), hash.end(), key.hash.begin());
    } else {
      bad_hash =
          Status::internal("api_keys.hash of key " + std::to_string(key.id) + ": wrong size");
    }
    key.created_at_ms = r.int64(5);
    key.revoked_at_ms = r.optional_int(6);
    return key;
  });
  if (bad_hash) return *bad_hash;
  return keys;
}

Status SqliteStore::revoke_key(uint64_t key_id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto stmt =
      db_->prepare("UPDATE api_keys SET revoked_at_ms = COALESCE(revoked_at_ms, ?2) WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(key_id)).bind(2, now_ms).run(); !s.ok()) {
    return s;
  }
  if (db_->changes() == 0) return Status::not_found("no key with id " + std::to_string(key_id));
  return {};
}

Result<std::vector<uint64_t>> SqliteStore::add_rules(const std::vector<std::string>& bodies,
                                                     int64_t now_ms) {
  std::lock_guard lock(mu_);
  return in_transaction(*db_, [&]() -> Result<std::vector<uint64_t>> {
    auto stmt =
        db_->prepare("INSERT INTO quota_rules (name, body, updated_at_ms) VALUES ('', ?1, ?2)");
    if (!stmt.ok()) return stmt.status();
    std::vector<uint64_t> ids;
    for (const std::string& body : bodies) {
      if (Status s = stmt->bind(1, body).bind(2, now_ms).run(); !s.ok()) return s;
      ids.push_back(static_cast<uint64_t>(db_->last_insert_id()));
    }
    return ids;
  });
}

Result<std::vector<StoredRule>> SqliteStore::list_rules() {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("SELECT id, body, updated_at_ms FROM quota_rules ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<StoredRule>([](const Statement& r) {
    return StoredRule{r.uint64(0), r.text(1), r.int64(2)};
  });
}

Status SqliteStore::update_rule(uint64_t id, std::string_view body, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("UPDATE quota_rules SET body = ?2, updated_at_ms = ?3 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(id)).bind(2, body).bind(3, now_ms).run();
      !s.ok()) {
    return s;
  }
  if (db_->changes() == 0) return Status::not_found("no rule with id " + std::to_string(id));
  return {};
}

Result<std::vector<uint64_t>> SqliteStore::replace_rules(const std::vector<uint64_t>& remove,
                                                         const std::vector<std::string>& bodies,
                                                         int64_t now_ms) {
  std::lock_guard lock(mu_);
  return in_transaction(*db_, [&]() -> Result<std::vector<uint64_t>> {
    auto del = db_->prepare("DELETE FROM quota_rules WHERE id = ?1");
    if (!del.ok()) return del.status();
    for (uint64_t id : remove) {
      if (Status s = del->bind(1, static_cast<int64_t>(id)).run(); !s.ok()) return s;
      if (db_->changes() == 0) return Status::not_found("no rule with id " + std::to_string(id));
    }
    auto add =
        db_->prepare("INSERT INTO quota_rules (name, body, updated_at_ms) VALUES ('', ?1, ?2)");
    if (!add.ok()) return add.status();
    std::vector<uint64_t> ids;
    for (const std::string& body : bodies) {
      if (Status s = add->bind(1, body).bind(2, now_ms).run(); !s.ok()) return s;
      ids.push_back(static_cast<uint64_t>(db_->last_insert_id()));
    }
    return ids;
  });
}

Status SqliteStore::append_audit(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "INSERT INTO audit_log (actor, action, target, before, after, at_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt.ok()) return stmt.status();
  return stmt->bind(1, e.actor)
      .bind(2, e.action)
      .bind(3, e.target)
      .bind(4, e.before)
      .bind(5, e.after)
      .bind(6, e.at_ms)
      .run();
}

Result<std::vector<AuditEntry>> SqliteStore::audit_since(int64_t since_ms) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT actor, action, target, before, after, at_ms FROM audit_log WHERE at_ms >= ?1 "
      "ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, since_ms);
  return stmt->collect<AuditEntry>([](const Statement& r) {
    return AuditEntry{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.int64(5)};
  });
}

void SqliteStore::record_execution(Execution execution, RecordDone done) {
  queue_->push(std::move(execution), std::move(done));
}
void SqliteStore::add_usage(Usage delta) { queue_->push(std::move(delta)); }
void SqliteStore::record_violation(Violation violation) { queue_->push(std::move(violation)); }
void SqliteStore::record_decision(ConfirmDecision decision) { queue_->push(std::move(decision)); }
Status SqliteStore::flush() { return queue_->flush(); }
StoreHealth SqliteStore::health() { return queue_->health(); }
void SqliteStore::set_commit_observer(std::function<void(double)> observer) {
  queue_->set_commit_observer(std::move(observer));
}

Result<std::vector<bool>> SqliteStore::commit_batch(const WriteBatch& batch,
                                                    std::optional<JournalMark> mark) {
  std::lock_guard lock(write_mu_);
  Connection& db = *writer_db_;
  return in_transaction(db, [&]() -> Result<std::vector<bool>> {
    std::vector<bool> inserted;
    inserted.reserve(batch.executions.size());
    if (!batch.executions.empty()) {
      auto stmt = db.prepare(
          "INSERT INTO executions (id, user_id, key_id, type, command, started_at_ms, "
          "duration_ms, cpu_ms, peak_memory_bytes, exit_code, signal) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO NOTHING");
      if (!stmt.ok()) return stmt.status();
      for (const Execution& e : batch.executions) {
        Status s = stmt->bind(1, e.id)
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
      auto stmt = db.prepare(
          "INSERT INTO quota_usage (user_id, key_id, type, day_start_ms, used) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET used = used + excluded.used");
      if (!stmt.ok()) return stmt.status();
      for (const Usage& u : fold_usage(batch.usage)) {
        Status s = stmt->bind(1, static_cast<int64_t>(u.user_id))
                       .bind(2, static_cast<int64_t>(u.key_id))
                       .bind(3, u.type)
                       .bind(4, u.day_start_ms)
                       .bind(5, static_cast<int64_t>(u.used))
                       .run();
        if (!s.ok()) return s;
      }
    }
    if (!batch.violations.empty()) {
      auto stmt = db.prepare(
          "INSERT INTO violations (user_id, key_id, type, limit_name, command, at_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!stmt.ok()) return stmt.status();
      for (const Violation& v : batch.violations) {
        Status s = stmt->bind(1, static_cast<int64_t>(v.user_id))
                       .bind(2, static_cast<int64_t>(v.key_id))
                       .bind(3, v.type)
                       .bind(4, v.limit)
                       .bind(5, v.command)
                       .bind(6, v.at_ms)
                       .run();
        if (!s.ok()) return s;
      }
    }
    if (!batch.decisions.empty()) {
      auto stmt = db.prepare(
          "INSERT INTO confirm_decisions (at_ms, user_name, key_id, command, cwd, session_id, "
          "tool, decision, source, pattern_id, reason, reviewer_latency_ms) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
      if (!stmt.ok()) return stmt.status();
      for (const ConfirmDecision& d : batch.decisions) {
        Status s = stmt->bind(1, d.at_ms)
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
      auto stmt = db.prepare(
          "INSERT INTO journal_marks (segment, through_seq) VALUES (?1, ?2) "
          "ON CONFLICT (segment) DO UPDATE SET through_seq = MAX(through_seq, "
          "excluded.through_seq)");
      if (!stmt.ok()) return stmt.status();
      Status s = stmt->bind(1, static_cast<int64_t>(mark->segment))
                     .bind(2, static_cast<int64_t>(mark->through_seq))
                     .run();
      if (!s.ok()) return s;
    }
    return inserted;
  });
}

Result<uint64_t> SqliteStore::journal_applied_through(uint64_t segment) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("SELECT through_seq FROM journal_marks WHERE segment = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->bind(1, static_cast<int64_t>(segment)).step();
  if (!row.ok()) return row.status();
  return row.value() ? stmt->uint64(0) : uint64_t{0};
}

Result<std::vector<Usage>> SqliteStore::usage_since(int64_t day_start_ms) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT user_id, key_id, type, day_start_ms, used FROM quota_usage "
      "WHERE day_start_ms >= ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, day_start_ms);
  return stmt->collect<Usage>([](const Statement& r) {
    return Usage{r.uint64(0), r.uint64(1), r.text(2), r.int64(3), r.uint64(4)};
  });
}

Result<std::vector<Violation>> SqliteStore::violations_since(int64_t since_ms) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT user_id, key_id, type, limit_name, command, at_ms FROM violations "
      "WHERE at_ms >= ?1 ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, since_ms);
  return stmt->collect<Violation>([](const Statement& r) {
    return Violation{r.uint64(0), r.uint64(1), r.text(2), r.text(3), r.text(4), r.int64(5)};
  });
}

Result<std::vector<ViolationRecord>> SqliteStore::list_violations(const ViolationFilter& f) {
  std::lock_guard lock(mu_);
  const detail::ViolationListing query = detail::violation_listing(f, '?');
  auto stmt = db_->prepare(query.sql);
  if (!stmt.ok()) return stmt.status();
  int i = 0;
  detail::for_each_violation_parameter(f, [&](const auto& v) { stmt->bind(++i, v); });
  return stmt->collect<ViolationRecord>([](const Statement& r) {
    return ViolationRecord{r.uint64(0),
                           {r.uint64(1), r.uint64(2), r.text(3), r.text(4), r.text(5), r.int64(6)}};
  });
}

Result<uint64_t> SqliteStore::delete_usage(uint64_t user_id, int64_t since_day_start_ms) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("DELETE FROM quota_usage WHERE user_id = ?1 AND day_start_ms >= ?2");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(user_id)).bind(2, since_day_start_ms).run();
      !s.ok()) {
    return s;
  }
  return static_cast<uint64_t>(db_->changes());
}

Result<std::optional<Execution>> SqliteStore::find_execution(std::string_view id) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT id, user_id, key_id, type, command, started_at_ms, duration_ms, cpu_ms, "
      "peak_memory_bytes, exit_code, signal FROM executions WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->bind(1, id).step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<Execution>();
  return std::optional<Execution>(execution_of(stmt.value()));
}

Result<uint64_t> SqliteStore::count_executions() {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("SELECT COUNT(*) FROM executions");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->step();
  if (!row.ok()) return row.status();
  return static_cast<uint64_t>(stmt->int64(0));
}

Result<uint64_t> SqliteStore::delete_executions_before(int64_t before_ms) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("DELETE FROM executions WHERE started_at_ms < ?1");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, before_ms).run(); !s.ok()) return s;
  return static_cast<uint64_t>(db_->changes());
}

Result<std::vector<ConfirmDecision>> SqliteStore::list_decisions(const DecisionFilter& f) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT id, at_ms, user_name, key_id, command, cwd, session_id, tool, decision, source, "
      "pattern_id, reason, reviewer_latency_ms FROM confirm_decisions "
      "WHERE (?1 IS NULL OR user_name = ?1) AND (?2 IS NULL OR decision = ?2) "
      "AND (?3 IS NULL OR source = ?3) AND (?4 IS NULL OR at_ms >= ?4) "
      "AND (?5 IS NULL OR at_ms < ?5) AND (?6 IS NULL OR id < ?6) "
      "ORDER BY id DESC LIMIT ?7");
  if (!stmt.ok()) return stmt.status();
  stmt->bind_text_or_null(1, f.user);
  stmt->bind_text_or_null(2, f.decision);
  stmt->bind_text_or_null(3, f.source);
  stmt->bind(4, f.from_ms).bind(5, f.to_ms).bind(6, f.before_id);
  stmt->bind(7, static_cast<int64_t>(f.limit));
  return stmt->collect<ConfirmDecision>([](const Statement& r) {
    ConfirmDecision d;
    d.id = r.uint64(0);
    d.at_ms = r.int64(1);
    d.user = r.text(2);
    d.key_id = r.uint64(3);
    d.command = r.text(4);
    d.cwd = r.text(5);
    d.session_id = r.text(6);
    d.tool = r.text(7);
    d.decision = r.text(8);
    d.source = r.text(9);
    d.pattern_id = r.text(10);
    d.reason = r.text(11);
    d.reviewer_latency_ms = r.optional_int(12);
    return d;
  });
}

Status SqliteStore::scan_executions(int64_t from_ms, int64_t to_ms,
                                    const std::function<void(const Execution&)>& fn) {
  constexpr int64_t kPage = 10'000;
  // Keyset pagination on (started_at_ms, id): the lock is held for one page at a time.
  std::optional<std::pair<int64_t, std::string>> after;
  for (;;) {
    std::vector<Execution> page;
    {
      std::lock_guard lock(mu_);
      auto stmt =
          db_->prepare(std::string(kExecutionColumns) +
                       "WHERE started_at_ms >= ?1 AND started_at_ms < ?2 AND (?3 IS NULL OR "
                       "started_at_ms > ?3 OR (started_at_ms = ?3 AND id > ?4)) "
                       "ORDER BY started_at_ms, id LIMIT ?5");
      if (!stmt.ok()) return stmt.status();
      stmt->bind(1, from_ms).bind(2, to_ms);
      if (after) {
        stmt->bind(3, after->first).bind(4, after->second);
      } else {
        stmt->bind_null(3).bind_null(4);
      }
      stmt->bind(5, kPage);
      auto rows = stmt->collect<Execution>(execution_of);
      if (!rows.ok()) return rows.status();
      page = std::move(rows.value());
    }
    for (const Execution& e : page) fn(e);
    if (static_cast<int64_t>(page.size()) < kPage) return {};
    after.emplace(page.back().started_at_ms, page.back().id);
  }
}

Status SqliteStore::add_aggregates(const std::vector<AggregateRow>& rows) {
  if (rows.empty()) return {};
  std::lock_guard lock(write_mu_);
  auto done = in_transaction(*writer_db_, [&]() -> Result<bool> {
    if (Status s = insert_aggregates(*writer_db_, rows); !s.ok()) return s;
    return true;
  });
  return done.ok() ? Status() : done.status();
}

Status SqliteStore::scan_aggregates(const AggregateFilter& f,
                                    const std::function<void(const AggregateRowView&)>& fn) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
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

Status SqliteStore::replace_aggregates(const AggregateScope& scope,
                                       const std::vector<AggregateRow>& rows) {
  std::lock_guard lock(write_mu_);
  Connection& db = *writer_db_;
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

Result<uint64_t> SqliteStore::delete_aggregates_before(Granularity g, int64_t before_ms) {
  std::lock_guard lock(write_mu_);
  auto stmt = writer_db_->prepare(
      "DELETE FROM analytics_aggregates WHERE granularity = ?1 AND bucket_start_ms < ?2");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, static_cast<int64_t>(g)).bind(2, before_ms).run(); !s.ok()) {
    return s;
  }
  return static_cast<uint64_t>(writer_db_->changes());
}

Result<std::vector<StoredPattern>> SqliteStore::list_patterns() {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("SELECT id, body, updated_at_ms FROM confirm_patterns ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<StoredPattern>([](const Statement& r) {
    return StoredPattern{r.text(0), r.text(1), r.int64(2)};
  });
}

Status SqliteStore::put_pattern(const StoredPattern& p) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "INSERT INTO confirm_patterns (id, body, updated_at_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at_ms = "
      "excluded.updated_at_ms");
  if (!stmt.ok()) return stmt.status();
  return stmt->bind(1, p.id).bind(2, p.body).bind(3, p.updated_at_ms).run();
}

Status SqliteStore::delete_pattern(std::string_view id) {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare("DELETE FROM confirm_patterns WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  if (Status s = stmt->bind(1, id).run(); !s.ok()) return s;
  if (db_->changes() == 0) return Status::not_found("no pattern " + std::string(id));
  return {};
}

Result<bool> SqliteStore::seed_patterns(const std::vector<StoredPattern>& patterns) {
  std::lock_guard lock(mu_);
  return in_transaction(*db_, [&]() -> Result<bool> {
    auto mark = db_->prepare(
        "INSERT INTO confirm_patterns_seeded (one, at_ms) VALUES (1, ?1) "
        "ON CONFLICT (one) DO NOTHING");
    if (!mark.ok()) return mark.status();
    const int64_t at_ms = patterns.empty() ? 0 : patterns.front().updated_at_ms;
    if (Status s = mark->bind(1, at_ms).run(); !s.ok()) return s;
    if (db_->changes() == 0) return false;  // seeded before
    auto stmt = db_->prepare(
        "INSERT INTO confirm_patterns (id, body, updated_at_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (id) DO NOTHING");
    if (!stmt.ok()) return stmt.status();
    for (const StoredPattern& p : patterns) {
      if (Status s = stmt->bind(1, p.id).bind(2, p.body).bind(3, p.updated_at_ms).run(); !s.ok()) {
        return s;
      }
    }
    return true;
  });
}

Result<std::vector<ReputationState>> SqliteStore::list_reputations() {
  std::lock_guard lock(mu_);
  auto stmt = db_->prepare(
      "SELECT user_name, score, updated_at_ms, events FROM reputation ORDER BY user_name");
  if (!stmt.ok()) return stmt.status();
  return stmt->collect<ReputationState>([](const Statement& r) {
    return ReputationState{r.text(0), r.real(1), r.int64(2), r.text(3)};
  });
}

Status SqliteStore::put_reputations(const std::vector<ReputationState>& states) {
  if (states.empty()) return {};
  std::lock_guard lock(mu_);
  auto done = in_transaction(*db_, [&]() -> Result<bool> {
    auto stmt = db_->prepare(
        "INSERT INTO reputation (user_name, score, updated_at_ms, events) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (user_name) DO UPDATE SET score = excluded.score, "
        "updated_at_ms = excluded.updated_at_ms, events = excluded.events");
    if (!stmt.ok()) return stmt.status();
    for (const ReputationState& r : states) {
      Status s = stmt->bind(1, r.user)
                     .bind_real(2, r.score)
                     .bind(3, r.updated_at_ms)
                     .bind(4, r.events)
                     .run();
      if (!s.ok()) return s;
    }
    return true;
  });
  return done.ok() ? Status() : done.status();
}

}  // namespace gaia::store::sqlite
