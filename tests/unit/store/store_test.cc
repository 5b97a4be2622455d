// Every behaviour of the Store, run against each backend: SQLite in a temporary directory
// and PostgreSQL in a throwaway cluster (support/postgres_cluster.h), a new database per test.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "core/capped_text.h"
#include "store/detail/violation_listing.h"
#include "store/postgres/migrations.h"
#include "store/postgres/postgres_store.h"
#include "store/sql/violation_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/postgres_cluster.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace gaia::store {
namespace {

using core::Tier;

using Backend = testing::StoreBackend;

class StoreTest : public testing::StoreBackendTest {
 protected:
  StoreTest() : StoreBackendTest("sub/gaia.db") {}
  Status open_status() {
    if (GetParam() == Backend::kSqlite) return sqlite::SqliteStore::open(path_, clock_).status();
    return postgres::PostgresStore::open(url_, clock_).status();
  }
  int latest_version() const {
    return GetParam() == Backend::kSqlite ? sqlite::latest_schema_version()
                                          : postgres::latest_schema_version();
  }
  // Runs `sql` on the database from a connection of its own, as another process would; the
  // first column of the first row, or -1.
  int64_t sql(const std::string& text) {
    if (GetParam() == Backend::kSqlite) {
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
      sqlite3_stmt* stmt = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(db, text.c_str(), -1, &stmt, nullptr), SQLITE_OK)
          << sqlite3_errmsg(db);
      int rc = sqlite3_step(stmt);
      EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
      int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
      sqlite3_finalize(stmt);
      sqlite3_close(db);
      return v;
    }
    PGconn* conn = PQconnectdb(url_.c_str());
    PGresult* r = PQexec(conn, text.c_str());
    ExecStatusType st = PQresultStatus(r);
    EXPECT_TRUE(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    int64_t v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 ? std::atoll(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    PQfinish(conn);
    return v;
  }
  // Records `e` and waits for its durable answer.
  static Result<bool> record(Store& store, Execution e) {
    std::promise<Result<bool>> done;
    store.record_execution(std::move(e), [&](Result<bool> r) { done.set_value(std::move(r)); });
    return done.get_future().get();
  }
  static Execution execution(std::string id, int64_t started_at_ms = 1000) {
    Execution e;
    e.id = std::move(id);
    e.user_id = 1;
    e.key_id = 2;
    e.type = "shell";
    e.command = "ls -l";
    e.started_at_ms = started_at_ms;
    e.duration_ms = 12;
    e.cpu_ms = 3;
    e.peak_memory_bytes = 4096;
    e.exit_code = 0;
    return e;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::store_backend_name);

const auto* const kPostgres = ::testing::AddGlobalTestEnvironment(new testing::PostgresEnvironment);

TEST_P(StoreTest, CreatesTheSchemaOnce) {
  open();
  const int64_t applied = sql("SELECT COUNT(*) FROM schema_migrations");
  EXPECT_GE(applied, 1);  // versions may have gaps: each dialect lists its own
  open();                 // migrations already applied: a second start changes nothing
  EXPECT_EQ(sql("SELECT COUNT(*) FROM schema_migrations"), applied);
  EXPECT_EQ(sql("SELECT MAX(version) FROM schema_migrations"), latest_version());
}

TEST(SqliteStoreTest, UsesWriteAheadLogging) {
  testing::ManualClock clock;
  testing::TempDir dir;
  auto store = sqlite::SqliteStore::open(dir.file("sub/gaia.db"), clock);
  ASSERT_TRUE(store.ok());  // the log exists while the database is open
  EXPECT_TRUE(std::filesystem::exists(dir.file("sub/gaia.db-wal")));
}

TEST_P(StoreTest, RefusesADatabaseFromANewerBinary) {
  open();
  sql("INSERT INTO schema_migrations VALUES (999, 0)");
  Status s = open_status();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("version 999, newer"), std::string::npos) << s.message();
}

TEST_P(StoreTest, UsersAreUniqueAndKeepTheirTier) {
  auto store = open();
  auto alice = store->create_user("alice", Tier::kPremium, 5);
  ASSERT_TRUE(alice.ok());
  EXPECT_FALSE(store->create_user("alice", Tier::kDefault, 6).ok());
  ASSERT_TRUE(store->set_tier(alice->id, Tier::kEnterprise).ok());
  EXPECT_EQ(store->set_tier(999, Tier::kDefault).code(), core::StatusCode::kNotFound);
  store.reset();

  auto found = open()->find_user("alice");
  ASSERT_TRUE(found.ok() && found.value());
  EXPECT_EQ(found.value()->tier, Tier::kEnterprise);
  EXPECT_EQ(found.value()->created_at_ms, 5);
}

TEST_P(StoreTest, AUsersWebhookUrlIsKeptListedAndCleared) {
  auto store = open();
  auto ann = store->create_user("ann", Tier::kDefault, 5);
  ASSERT_TRUE(ann.ok());
  EXPECT_EQ(ann->webhook_url, "");
  ASSERT_TRUE(store->set_webhook_url(ann->id, "https://hooks.example/ann").ok());
  EXPECT_EQ(store->set_webhook_url(999, "https://x.example").code(), core::StatusCode::kNotFound);
  store.reset();

  store = open();
  auto found = store->find_user("ann");
  ASSERT_TRUE(found.ok() && found.value());
  EXPECT_EQ(found.value()->webhook_url, "https://hooks.example/ann");
  auto listed = store->list_users();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).webhook_url, "https://hooks.example/ann");

  ASSERT_TRUE(store->set_webhook_url(ann->id, "").ok());
  EXPECT_EQ(store->find_user("ann").value()->webhook_url, "");
}

TEST_P(StoreTest, KeysKeepTheirHashRoleAndRevocation) {
  auto store = open();
  auto alice = store->create_user("alice", Tier::kDefault, 0);
  KeyHash hash{};
  hash[0] = 0xAB;
  hash[31] = 0xCD;
  ApiKey record;
  record.user_id = alice->id;
  record.role = Role::kService;
  record.label = "gateway";
  record.hash = hash;
  record.created_at_ms = 7;
  record.from_env = true;
  auto key = store->create_key(record);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store->revoke_key(key->id, 9).ok());
  EXPECT_EQ(store->revoke_key(12345, 9).code(), core::StatusCode::kNotFound);
  store.reset();

  auto keys = open()->list_keys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  const ApiKey& k = keys->front();
  EXPECT_EQ(k.hash, hash);
  EXPECT_EQ(k.role, Role::kService);
  EXPECT_EQ(k.label, "gateway");
  EXPECT_EQ(k.revoked_at_ms, 9);
  EXPECT_TRUE(k.from_env);
  EXPECT_FALSE(k.agent);
}

TEST_P(StoreTest, AKeysRoleAndAgentMarkCanChange) {
  auto store = open();
  auto alice = store->create_user("alice", Tier::kDefault, 0);
  ApiKey record;
  record.user_id = alice->id;
  record.role = Role::kAdmin;
  auto key = store->create_key(record);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store->update_key(key->id, Role::kUser, true).ok());
  EXPECT_EQ(store->update_key(12345, Role::kUser, true).code(), core::StatusCode::kNotFound);
  store.reset();

  auto keys = open()->list_keys();
  ASSERT_TRUE(keys.ok() && keys->size() == 1u);
  EXPECT_EQ(keys->front().role, Role::kUser);
  EXPECT_TRUE(keys->front().agent);
}

TEST_P(StoreTest, DeletingAUserRevokesItsKeysAndHidesIt) {
  auto store = open();
  auto alice = store->create_user("alice", Tier::kDefault, 0);
  auto bob = store->create_user("bob", Tier::kDefault, 0);
  ApiKey alices;
  alices.user_id = alice->id;
  ApiKey bobs;
  bobs.user_id = bob->id;
  bobs.hash[0] = 1;  // hashes are unique
  ASSERT_TRUE(store->create_key(alices).ok());
  ASSERT_TRUE(store->create_key(bobs).ok());
  ASSERT_TRUE(store->delete_user(alice->id, 5).ok());
  EXPECT_EQ(store->delete_user(alice->id, 6).code(), core::StatusCode::kNotFound);
  store.reset();

  store = open();
  auto users = store->list_users();
  ASSERT_TRUE(users.ok() && users->size() == 1u);
  EXPECT_EQ(users->front().name, "bob");
  EXPECT_FALSE(store->find_user("alice").value());
  EXPECT_FALSE(store->create_user("alice", Tier::kDefault, 7).ok());  // the name stays taken
  auto keys = store->list_keys();
  ASSERT_TRUE(keys.ok() && keys->size() == 2u);
  EXPECT_EQ(keys->at(0).revoked_at_ms, 5);
  EXPECT_FALSE(keys->at(1).revoked_at_ms);
}

TEST_P(StoreTest, ExecutionIsIdempotentOnItsId) {
  auto store = open();
  auto first = record(*store, execution("run-1"));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.value());
  Execution repeat = execution("run-1");
  repeat.command = "something else";
  auto second = record(*store, repeat);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second.value());
  auto stored = store->find_execution(1, "run-1");
  ASSERT_TRUE(stored.ok() && stored.value());
  EXPECT_EQ(stored.value()->command, "ls -l");
  EXPECT_EQ(store->count_executions().value(), 1u);
}

TEST_P(StoreTest, ExecutionIdsBelongToTheirUser) {
  auto store = open();
  Execution mine = execution("victim-42");
  mine.user_id = 7;
  Execution theirs = execution("victim-42");
  theirs.user_id = 8;
  theirs.command = "posted first";
  // Another user taking the id first does not stop its owner from recording it.
  ASSERT_TRUE(record(*store, theirs).value());
  ASSERT_TRUE(record(*store, mine).value());
  EXPECT_FALSE(record(*store, mine).value()) << "the owner's own repeat is still a repeat";
  auto found = store->find_execution(7, "victim-42");
  ASSERT_TRUE(found.ok() && found.value());
  EXPECT_EQ(found.value()->command, "ls -l");
  EXPECT_EQ(store->find_execution(8, "victim-42").value()->command, "posted first");
  EXPECT_FALSE(store->find_execution(9, "victim-42").value().has_value());
  EXPECT_EQ(store->count_executions().value(), 2u);
}

TEST_P(StoreTest, OneBatchHoldingAnIdOfTwoUsersStoresBoth) {
  auto store = open();
  std::promise<Result<bool>> first, second;
  Execution a = execution("same");
  Execution b = execution("same");
  b.user_id = 5;
  // Queued back to back: usually committed in one batch.
  store->record_execution(a, [&](Result<bool> r) { first.set_value(std::move(r)); });
  store->record_execution(b, [&](Result<bool> r) { second.set_value(std::move(r)); });
  EXPECT_TRUE(first.get_future().get().value());
  EXPECT_TRUE(second.get_future().get().value());
  EXPECT_EQ(store->count_executions().value(), 2u);
}

TEST_P(StoreTest, ScanningPassesEveryExecutionOfOneInstantAndIdOnce) {
  auto store = open();
  for (uint64_t user = 1; user <= 3; ++user) {
    Execution e = execution("same", 5000);
    e.user_id = user;
    ASSERT_TRUE(record(*store, e).value());
  }
  std::multiset<uint64_t> users;
  ASSERT_TRUE(
      store->scan_executions(0, 10'000, [&](const Execution& e) { users.insert(e.user_id); }).ok());
  EXPECT_EQ(users, (std::multiset<uint64_t>{1, 2, 3}));
}

TEST_P(StoreTest, UpgradingKeepsExecutionsAndKeysThemByUser) {
  constexpr int kVersionWithGlobalIds = 7;
  const std::string insert =
      "INSERT INTO executions (id, user_id, key_id, type, command, started_at_ms, duration_ms, "
      "cpu_ms, peak_memory_bytes, exit_code, signal) VALUES ('old-1', 1, 2, 'shell', 'ls', 1000, "
      "12, 3, 4096, 0, NULL)";
  if (GetParam() == Backend::kSqlite) {
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    auto db = sqlite::Connection::open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(sqlite::migrate(*db.value(), kVersionWithGlobalIds).ok());
    ASSERT_TRUE(db.value()->exec(insert).ok());
  } else {
    auto db = postgres::Connection::open(url_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(postgres::migrate(*db.value(), kVersionWithGlobalIds).ok());
    ASSERT_TRUE(db.value()->exec(insert.c_str()).ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(sql("SELECT MAX(version) FROM schema_migrations"), latest_version());
  auto kept = store->find_execution(1, "old-1");
  ASSERT_TRUE(kept.ok() && kept.value());
  EXPECT_EQ(kept.value()->duration_ms, 12);
  Execution other_user = execution("old-1");
  other_user.user_id = 3;
  EXPECT_TRUE(record(*store, other_user).value());
  EXPECT_FALSE(record(*store, execution("old-1")).value());
}

TEST_P(StoreTest, UsageSumsStopAtTheLargestIntegerInsteadOfWrapping) {
  auto store = open();
  constexpr uint64_t kHuge = INT64_MAX;
  store->add_usage({1, 2, "shell", 0, kHuge});
  store->add_usage({1, 2, "shell", 0, kHuge});  // folded with the first in one batch
  ASSERT_TRUE(store->flush().ok());
  store->add_usage({1, 2, "shell", 0, kHuge});  // added to the stored row
  ASSERT_TRUE(store->flush().ok());
  auto rows = store->usage_since(0);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().used, kHuge);
}

TEST_P(StoreTest, AnsweredExecutionIsAlreadyInTheFile) {
  auto store = open();
  Execution e = execution("run-2");
  e.exit_code.reset();
  e.signal = 9;
  ASSERT_TRUE(record(*store, e).ok());
  // Another connection, as another process would see it, without closing the store.
  auto other = open();
  auto stored = other->find_execution(1, "run-2");
  ASSERT_TRUE(stored.ok() && stored.value());
  EXPECT_EQ(stored.value()->signal, 9);
  EXPECT_FALSE(stored.value()->exit_code.has_value());
}

TEST_P(StoreTest, ConcurrentRecordsAreAllStoredExactlyOnce) {
  auto store = open();
  constexpr int kThreads = 4, kEach = 500;
  std::atomic<int> answered{0}, inserted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every id twice: the repeats must store nothing.
        for (int copy = 0; copy < 2; ++copy) {
          store->record_execution(execution(std::to_string(t) + "-" + std::to_string(i)),
                                  [&](Result<bool> r) {
                                    ASSERT_TRUE(r.ok());
                                    inserted += r.value();
                                    ++answered;
                                  });
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(store->flush().ok());
  EXPECT_EQ(answered.load(), 2 * kThreads * kEach);
  EXPECT_EQ(inserted.load(), kThreads * kEach);
  EXPECT_EQ(store->count_executions().value(), uint64_t{kThreads * kEach});
  EXPECT_GE(store->health().commits, 1u);
}

TEST_P(StoreTest, UsageDeltasAddUpPerDay) {
  auto store = open();
  for (int i = 0; i < 499; ++i) store->add_usage({1, 2, "shell", 86'400'000, 1});
  store->add_usage({1, 2, "shell", 0, 7});  // the day before
  store->add_usage({1, 3, "code", 86'400'000, 2});
  ASSERT_TRUE(store->flush().ok());
  store.reset();

  auto rows = open()->usage_since(86'400'000);
  ASSERT_TRUE(rows.ok());
  uint64_t shell = 0, code = 0;
  for (const Usage& u : rows.value()) (u.type == "shell" ? shell : code) += u.used;
  EXPECT_EQ(shell, 499u);
  EXPECT_EQ(code, 2u);
}

TEST_P(StoreTest, ViolationsAndAuditAreKept) {
  auto store = open();
  store->record_violation({1, 2, "shell", "calendar:day:500", "rm -rf build", 50});
  ASSERT_TRUE(store->flush().ok());
  ASSERT_TRUE(store->append_audit({"admin", "user.create", "alice", "", "{}", 60}).ok());
  auto violations = store->violations_since(0);
  ASSERT_TRUE(violations.ok());
  ASSERT_EQ(violations->size(), 1u);
  EXPECT_EQ(violations->front().limit, "calendar:day:500");
  auto audit = store->audit_since(60);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().action, "user.create");
}

TEST_P(StoreTest, ALongCommandIsStoredAsACappedPrefixAndHashInEveryRecord) {
  auto store = open();
  const std::string command = "echo " + std::string(64 * 1024, 'x');
  store->record_violation({1, 2, "shell", "calendar:day:500", command, 50});
  Execution e = execution("long");
  e.command = command;
  ASSERT_TRUE(record(*store, e).ok());
  ConfirmDecision d;
  d.at_ms = 70;
  d.user = "alice";
  d.command = command;
  d.decision = "deny";
  d.source = "pattern";
  store->record_decision(d);
  ASSERT_TRUE(store->flush().ok());
  EXPECT_LE(sql("SELECT MAX(LENGTH(command)) FROM violations"), 1024);
  EXPECT_LE(sql("SELECT MAX(LENGTH(command)) FROM executions"), 1024);
  EXPECT_LE(sql("SELECT MAX(LENGTH(command)) FROM confirm_decisions"), 1024);
  const std::string kept = store->find_execution(1, "long").value()->command;
  EXPECT_EQ(kept, core::capped_text(command));
  EXPECT_TRUE(kept.starts_with("echo xxx"));
  EXPECT_NE(kept.find("65541 bytes, sha256 "), std::string::npos) << kept;
  EXPECT_EQ(store->violations_since(0).value().front().command, kept);
}

TEST_P(StoreTest, ViolationRetentionDeletesOnlyOldViolations) {
  auto store = open();
  store->record_violation({1, 2, "shell", "calendar:day:500", "old", 1000});
  store->record_violation({1, 2, "shell", "calendar:day:500", "new", 5000});
  ASSERT_TRUE(store->flush().ok());
  auto deleted = store->delete_violations_before(2000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.value(), 1u);
  auto left = store->violations_since(0);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().command, "new");
}

TEST_P(StoreTest, ScanningViolationsPassesTheRangeOldestFirstAcrossPages) {
  auto store = open();
  // More than one page, several episodes sharing a time (the cursor is (at_ms, id)), and
  // episodes on both sides of the range. Each user's is an episode of its own.
  const int64_t n = sql::kScanViolationsPage + 5;
  for (int64_t i = 0; i < n; ++i) {
    store->record_violation(
        {static_cast<uint64_t>(i) + 1, 2, "shell", "rate:1s:5", "", 100 + i / 3});
  }
  store->record_violation({0, 2, "shell", "rate:1s:5", "", 99});
  store->record_violation({0, 2, "shell", "rate:1s:5", "", 100 + n});
  ASSERT_TRUE(store->flush().ok());
  int64_t seen = 0, last_at = 0;
  uint64_t last_id = 0;
  bool ordered = true;
  Status s = store->scan_violations(100, 100 + n, [&](const ViolationRecord& r) {
    ordered =
        ordered && r.violation.at_ms >= last_at && (r.violation.at_ms > last_at || r.id > last_id);
    last_at = r.violation.at_ms;
    last_id = r.id;
    ++seen;
  });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(ordered);
  EXPECT_EQ(seen, n);
}

TEST_P(StoreTest, RulesKeepTheirBodiesAndOrder) {
  auto store = open();
  auto ids = store->add_rules({R"({"a":1})", R"({"b":2})"}, 70);
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_LT(ids.value()[0], ids.value()[1]);
  store.reset();
  auto rules = open()->list_rules();
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules.value()[1].body, R"({"b":2})");
  EXPECT_EQ(rules.value()[1].updated_at_ms, 70);
}

TEST_P(StoreTest, RuleBodiesAreUpdatedInPlace) {
  auto store = open();
  auto ids = store->add_rules({R"({"a":1})", R"({"b":2})"}, 70);
  ASSERT_TRUE(ids.ok());
  ASSERT_TRUE(store->update_rule(ids.value()[0], R"({"a":9})", 80).ok());
  EXPECT_EQ(store->update_rule(999, "{}", 80).code(), core::StatusCode::kNotFound);
  store.reset();
  auto rules = open()->list_rules();
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules.value()[0].id, ids.value()[0]);
  EXPECT_EQ(rules.value()[0].body, R"({"a":9})");
  EXPECT_EQ(rules.value()[0].updated_at_ms, 80);
  EXPECT_EQ(rules.value()[1].body, R"({"b":2})");
}

TEST_P(StoreTest, ReplacingRulesDeletesAndAddsInOneTransaction) {
  auto store = open();
  auto ids = store->add_rules({R"({"a":1})", R"({"b":2})", R"({"c":3})"}, 70);
  ASSERT_TRUE(ids.ok());
  auto added = store->replace_rules({ids.value()[0], ids.value()[2]}, {R"({"d":4})"}, 90);
  ASSERT_TRUE(added.ok()) << added.status().message();
  ASSERT_EQ(added->size(), 1u);
  auto rules = store->list_rules();
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules.value()[0].body, R"({"b":2})");
  EXPECT_EQ(rules.value()[1].body, R"({"d":4})");
  EXPECT_EQ(rules.value()[1].id, added.value()[0]);
}

TEST_P(StoreTest, ReplacingAMissingRuleChangesNothing) {
  auto store = open();
  auto ids = store->add_rules({R"({"a":1})"}, 70);
  ASSERT_TRUE(ids.ok());
  auto added = store->replace_rules({ids.value()[0], 999}, {R"({"d":4})"}, 90);
  EXPECT_EQ(added.status().code(), core::StatusCode::kNotFound);
  auto rules = store->list_rules();
  ASSERT_EQ(rules->size(), 1u);  // the first delete was rolled back, nothing added
  EXPECT_EQ(rules.value()[0].body, R"({"a":1})");
}

TEST_P(StoreTest, ViolationsFilterByUserTypeLimitAndTime) {
  auto store = open();
  store->record_violation({1, 2, "shell", "calendar:day:500", "ls", 100});
  store->record_violation({2, 3, "shell", "calendar:day:500", "ls", 200});
  store->record_violation({1, 2, "code", "rate:60s:10", "make", 300});
  store->record_violation({1, 2, "shell", "rate:60s:10", "ls", 400});
  ASSERT_TRUE(store->flush().ok());
  auto count = [&](ViolationFilter f) { return store->list_violations(f).value().size(); };
  EXPECT_EQ(count({}), 4u);
  EXPECT_EQ(count({.user_id = 1}), 3u);
  EXPECT_EQ(count({.user_id = 1, .type = "shell"}), 2u);
  EXPECT_EQ(count({.limit_name = "rate:60s:10"}), 2u);
  EXPECT_EQ(count({.from_ms = 200, .to_ms = 400}), 2u);
  EXPECT_EQ(count({.user_id = 3}), 0u);
  auto rows = store->list_violations({.type = "code"});
  ASSERT_EQ(rows->size(), 1u);
  const Violation& v = rows->front().violation;
  EXPECT_EQ(v.user_id, 1u);
  EXPECT_EQ(v.key_id, 2u);
  EXPECT_EQ(v.limit, "rate:60s:10");
  EXPECT_EQ(v.command, "make");
  EXPECT_EQ(v.at_ms, 300);
  EXPECT_GT(rows->front().id, 0u);
}

// Each filter of the listing is served by its index, newest first, rather than a scan.
TEST_P(StoreTest, ViolationListingUsesTheFiltersIndex) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "query plans checked on SQLite";
  auto store = open();
  auto plan = [&](const ViolationFilter& f) {
    const std::string text = "EXPLAIN QUERY PLAN " + detail::violation_listing(f, '?').sql;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, text.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    std::string steps;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      steps += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      steps += '\n';
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return steps;
  };
  EXPECT_NE(plan({.user_id = 1, .before_id = 9}).find("violations_by_user_id"), std::string::npos);
  EXPECT_NE(plan({.type = "shell"}).find("violations_by_type"), std::string::npos);
  EXPECT_NE(plan({.limit_name = "x"}).find("violations_by_limit"), std::string::npos);
  EXPECT_EQ(plan({}).find("TEMP B-TREE"), std::string::npos);  // no sort: rowid order
}

TEST_P(StoreTest, ViolationsPageNewestFirstByCursor) {
  auto store = open();
  for (int i = 0; i < 5; ++i) store->record_violation({1, 2, "shell", "x", "ls", i * 1000});
  ASSERT_TRUE(store->flush().ok());
  std::vector<int64_t> seen;
  ViolationFilter f{.limit = 2};
  for (;;) {
    auto page = store->list_violations(f);
    ASSERT_TRUE(page.ok());
    for (const ViolationRecord& r : page.value()) seen.push_back(r.violation.at_ms);
    if (page->size() < f.limit) break;
    f.before_id = page->back().id;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{4000, 3000, 2000, 1000, 0}));
}

TEST_P(StoreTest, RefusalsOfOneSecondAreStoredAsOneEpisodeWithTheirCountAndSpan) {
  auto store = open();
  for (int i = 0; i < 5; ++i) {
    store->record_violation(
        {1, 2, "shell", "rate:1s:5", "cmd" + std::to_string(i), 10'100 + i * 200});
  }
  store->record_violation({1, 2, "shell", "rate:1s:5", "later", 11'000});
  store->record_violation({2, 3, "shell", "rate:1s:5", "other", 10'500});
  ASSERT_TRUE(store->flush().ok());
  EXPECT_EQ(sql("SELECT COUNT(*) FROM violations"), 3);
  EXPECT_EQ(sql("SELECT SUM(count) FROM violations"), 7);
  auto rows = store->list_violations({.user_id = 1, .to_ms = 11'000});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const Violation& v = rows->front().violation;
  EXPECT_EQ(v.count, 5u);
  EXPECT_EQ(v.first_ms(), 10'100);
  EXPECT_EQ(v.at_ms, 10'900);
  EXPECT_EQ(v.command, "cmd0");
}

TEST_P(StoreTest, AnEpisodeMergesIntoTheStoredEpisodeOfItsSecond) {
  auto store = open();
  store->record_violation({1, 2, "shell", "rate:1s:5", "first", 20'400});
  store->record_violation({1, 2, "shell", "rate:1s:5", "second", 20'500});
  ASSERT_TRUE(store->flush().ok());
  const auto id = store->list_violations({}).value().front().id;
  Violation more{1, 2, "shell", "rate:1s:5", "more", 20'900};
  more.count = 40;
  more.span_ms = 800;  // from 20'100, before the stored first
  store->record_violation(more);
  ASSERT_TRUE(store->flush().ok());
  auto rows = store->list_violations({});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().id, id);
  const Violation& v = rows->front().violation;
  EXPECT_EQ(v.count, 42u);
  EXPECT_EQ(v.first_ms(), 20'100);
  EXPECT_EQ(v.at_ms, 20'900);
  EXPECT_EQ(v.command, "first");  // the stored sample stays
  uint64_t scanned = 0;
  ASSERT_TRUE(store
                  ->scan_violations(0, 30'000,
                                    [&](const ViolationRecord& r) { scanned += r.violation.count; })
                  .ok());
  EXPECT_EQ(scanned, 42u);
}

TEST_P(StoreTest, UpgradingFoldsOldViolationsIntoEpisodesAndKeepsEveryOne) {
  // The version before the episodes: SQLite's 13 and PostgreSQL's 14 fold the rows.
  const int before_episodes = GetParam() == Backend::kSqlite ? 12 : 13;
  // Four rows of one user's second, one of the next second, one of another user.
  const std::string insert =
      "INSERT INTO violations (user_id, key_id, type, limit_name, command, at_ms) VALUES "
      "(1, 2, 'shell', 'rate:1s:5', 'a', 30100), (1, 2, 'shell', 'rate:1s:5', 'b', 30700), "
      "(1, 2, 'shell', 'rate:1s:5', 'c', 30300), (1, 2, 'shell', 'rate:1s:5', 'd', 30999), "
      "(1, 2, 'shell', 'rate:1s:5', 'e', 31000), (2, 3, 'shell', 'rate:1s:5', 'f', 30500)";
  if (GetParam() == Backend::kSqlite) {
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    auto db = sqlite::Connection::open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(sqlite::migrate(*db.value(), before_episodes).ok());
    ASSERT_TRUE(db.value()->exec(insert).ok());
  } else {
    auto db = postgres::Connection::open(url_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(postgres::migrate(*db.value(), before_episodes).ok());
    ASSERT_TRUE(db.value()->exec(insert.c_str()).ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(sql("SELECT MAX(version) FROM schema_migrations"), latest_version());
  EXPECT_EQ(sql("SELECT COUNT(*) FROM violations"), 3);
  EXPECT_EQ(sql("SELECT SUM(count) FROM violations"), 6);
  auto rows = store->list_violations({.user_id = 1, .to_ms = 31'000});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().violation.count, 4u);
  EXPECT_EQ(rows->front().violation.first_ms(), 30'100);
  EXPECT_EQ(rows->front().violation.at_ms, 30'999);
  EXPECT_EQ(rows->front().violation.command, "a");
  // A new refusal of that second joins the migrated episode.
  store->record_violation({1, 2, "shell", "rate:1s:5", "new", 30'050});
  ASSERT_TRUE(store->flush().ok());
  EXPECT_EQ(sql("SELECT COUNT(*) FROM violations"), 3);
  EXPECT_EQ(sql("SELECT count FROM violations WHERE command = 'a'"), 5);
  EXPECT_EQ(sql("SELECT first_ms FROM violations WHERE command = 'a'"), 30'050);
}

TEST_P(StoreTest, DeletingUsageTakesOnlyThatUsersCurrentDays) {
  auto store = open();
  store->add_usage({1, 2, "shell", 0, 5});           // an earlier period
  store->add_usage({1, 2, "shell", 86'400'000, 3});  // current
  store->add_usage({1, 4, "code", 86'400'000, 2});   // current, another key
  store->add_usage({2, 3, "shell", 86'400'000, 7});  // another user
  ASSERT_TRUE(store->flush().ok());
  auto deleted = store->delete_usage(1, 86'400'000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.value(), 2u);
  store.reset();
  auto rows = open()->usage_since(0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  for (const Usage& u : rows.value()) {
    EXPECT_TRUE((u.user_id == 1 && u.day_start_ms == 0) || u.user_id == 2);
  }
}

TEST_P(StoreTest, RetentionDeletesOnlyOldExecutions) {
  auto store = open();
  ASSERT_TRUE(record(*store, execution("old", 1000)).ok());
  ASSERT_TRUE(record(*store, execution("new", 5000)).ok());
  store->add_usage({1, 2, "shell", 0, 1});
  ASSERT_TRUE(store->flush().ok());
  auto deleted = store->delete_executions_before(2000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.value(), 1u);
  EXPECT_FALSE(store->find_execution(1, "old").value().has_value());
  EXPECT_TRUE(store->find_execution(1, "new").value().has_value());
  EXPECT_EQ(store->usage_since(0).value().size(), 1u);  // daily usage stays
}

ConfirmDecision decision_of(std::string user, std::string decision, std::string source,
                            int64_t at_ms) {
  ConfirmDecision d;
  d.at_ms = at_ms;
  d.user = std::move(user);
  d.key_id = 3;
  d.command = "rm -rf 'build dir'";
  d.cwd = "/home/ann/src";
  d.session_id = "s-1";
  d.tool = "Bash";
  d.decision = std::move(decision);
  d.source = std::move(source);
  d.pattern_id = d.source == "pattern" ? "deny-rm-root" : "";
  d.reason = "because";
  if (d.source == "reviewer") d.reviewer_latency_ms = 42;
  return d;
}

TEST_P(StoreTest, DecisionsAreKeptWithEveryField) {
  auto store = open();
  store->record_decision(decision_of("ann", "deny", "pattern", 100));
  store->record_decision(decision_of("ann", "approve", "reviewer", 110));
  ASSERT_TRUE(store->flush().ok());
  store.reset();
  auto rows = open()->list_decisions({});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  const ConfirmDecision& newest = rows.value()[0];
  EXPECT_EQ(newest.decision, "approve");
  EXPECT_EQ(newest.source, "reviewer");
  EXPECT_EQ(newest.reviewer_latency_ms, 42);
  EXPECT_EQ(newest.at_ms, 110);
  const ConfirmDecision& oldest = rows.value()[1];
  EXPECT_GT(newest.id, oldest.id);
  EXPECT_EQ(oldest.user, "ann");
  EXPECT_EQ(oldest.key_id, 3u);
  EXPECT_EQ(oldest.command, "rm -rf 'build dir'");
  EXPECT_EQ(oldest.cwd, "/home/ann/src");
  EXPECT_EQ(oldest.session_id, "s-1");
  EXPECT_EQ(oldest.tool, "Bash");
  EXPECT_EQ(oldest.pattern_id, "deny-rm-root");
  EXPECT_EQ(oldest.reason, "because");
  EXPECT_FALSE(oldest.reviewer_latency_ms.has_value());
}

TEST_P(StoreTest, DecisionsFilterByUserDecisionSourceAndTime) {
  auto store = open();
  store->record_decision(decision_of("ann", "deny", "pattern", 100));
  store->record_decision(decision_of("bob", "deny", "pattern", 200));
  store->record_decision(decision_of("ann", "ask", "default", 300));
  store->record_decision(decision_of("ann", "deny", "fallback", 400));
  ASSERT_TRUE(store->flush().ok());
  auto count = [&](DecisionFilter f) { return store->list_decisions(f).value().size(); };
  EXPECT_EQ(count({.user = "ann"}), 3u);
  EXPECT_EQ(count({.decision = "deny"}), 3u);
  EXPECT_EQ(count({.user = "ann", .decision = "deny"}), 2u);
  EXPECT_EQ(count({.source = "pattern"}), 2u);
  EXPECT_EQ(count({.from_ms = 200, .to_ms = 400}), 2u);  // from inclusive, to exclusive
  EXPECT_EQ(count({.user = "carol"}), 0u);
}

TEST_P(StoreTest, DecisionsPageNewestFirstByCursor) {
  auto store = open();
  for (int i = 0; i < 5; ++i) store->record_decision(decision_of("ann", "ask", "default", i));
  ASSERT_TRUE(store->flush().ok());
  std::vector<int64_t> seen;
  DecisionFilter f{.limit = 2};
  for (;;) {
    auto page = store->list_decisions(f);
    ASSERT_TRUE(page.ok());
    for (const ConfirmDecision& d : page.value()) seen.push_back(d.at_ms);
    if (page->size() < f.limit) break;
    f.before_id = page->back().id;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{4, 3, 2, 1, 0}));
}

TEST_P(StoreTest, PatternsAreReplacedAndDeletedById) {
  auto store = open();
  ASSERT_TRUE(store->put_pattern({"b", R"({"v":1})", 10}).ok());
  ASSERT_TRUE(store->put_pattern({"a", R"({"v":2})", 20}).ok());
  ASSERT_TRUE(store->put_pattern({"b", R"({"v":3})", 30}).ok());
  store.reset();
  store = open();
  auto patterns = store->list_patterns();
  ASSERT_TRUE(patterns.ok());
  ASSERT_EQ(patterns->size(), 2u);
  EXPECT_EQ(patterns.value()[1].id, "b");
  EXPECT_EQ(patterns.value()[1].body, R"({"v":3})");
  EXPECT_EQ(patterns.value()[1].updated_at_ms, 30);
  ASSERT_TRUE(store->delete_pattern("a").ok());
  EXPECT_EQ(store->delete_pattern("a").code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store->list_patterns().value().size(), 1u);
}

TEST_P(StoreTest, PatternsAreSeededOnlyOnce) {
  auto store = open();
  auto first = store->seed_patterns({{"p1", "{}", 5}, {"p2", "{}", 5}});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(first.value());
  ASSERT_TRUE(store->delete_pattern("p1").ok());
  ASSERT_TRUE(store->delete_pattern("p2").ok());
  store.reset();
  auto again = open()->seed_patterns({{"p1", "{}", 6}});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());  // an admin who emptied the set keeps it empty
  EXPECT_TRUE(open()->list_patterns().value().empty());
}

TEST_P(StoreTest, ReputationStateSurvivesAReopen) {
  auto store = open();
  ASSERT_TRUE(store->put_reputations({{"ann", 61.25, 100, "[1]"}, {"bob", 70, 100, "[]"}}).ok());
  ASSERT_TRUE(store->put_reputations({{"ann", 55.125, 200, "[1,2]"}}).ok());
  store.reset();
  auto states = open()->list_reputations();
  ASSERT_TRUE(states.ok()) << states.status().message();
  ASSERT_EQ(states->size(), 2u);
  EXPECT_EQ(states.value()[0].user, "ann");
  EXPECT_DOUBLE_EQ(states.value()[0].score, 55.125);
  EXPECT_EQ(states.value()[0].updated_at_ms, 200);
  EXPECT_EQ(states.value()[0].events, "[1,2]");
  EXPECT_DOUBLE_EQ(states.value()[1].score, 70);
}

}  // namespace
}  // namespace gaia::store

namespace gaia::store {
namespace {

TEST(PostgresStoreTest, ReconnectsAfterTheServerRestarts) {
  testing::ManualClock clock;
  std::string error;
  auto cluster = testing::PostgresCluster::create(error);  // its own: this test stops it
  ASSERT_TRUE(cluster) << error;
  auto store = postgres::PostgresStore::open(cluster->create_database(), clock);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE(store.value()->create_user("alice", Tier::kDefault, 1).ok());

  cluster->stop();
  auto away = store.value()->list_users();
  ASSERT_FALSE(away.ok());
  EXPECT_EQ(away.status().code(), core::StatusCode::kUnavailable) << away.status().message();
  WriteBatch batch;
  batch.usage.push_back({1, 2, "shell", 0, 3});
  auto failed = store.value()->commit_batch(batch, std::nullopt);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), core::StatusCode::kUnavailable);

  ASSERT_TRUE(cluster->start());
  auto users = store.value()->list_users();
  ASSERT_TRUE(users.ok()) << users.status().message();
  EXPECT_EQ(users->size(), 1u);
  ASSERT_TRUE(store.value()->commit_batch(batch, std::nullopt).ok());
  EXPECT_EQ(store.value()->usage_since(0).value().at(0).used, 3u);
}

TEST(PostgresStoreTest, RefusesAnUnreachableServerAsUnavailable) {
  testing::ManualClock clock;
  auto store = postgres::PostgresStore::open("postgresql://postgres@127.0.0.1:1/none", clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("cannot connect to PostgreSQL"), std::string::npos)
      << store.status().message();
}

AggregateRow aggregate(Granularity g, int64_t bucket, uint64_t user, std::string outcome,
                       uint64_t count) {
  AggregateRow a;
  a.granularity = g;
  a.bucket_start_ms = bucket;
  a.user_id = user;
  a.key_id = 7;
  a.type = "shell";
  a.outcome = std::move(outcome);
  a.limit = a.outcome == "refused" ? "calendar:day:500" : "";
  a.count = count;
  a.cost = count * 2;
  a.duration_ms_sum = 40;
  a.duration_ms_max = 30;
  a.cpu_ms_sum = 9;
  a.cpu_ms_max = 5;
  a.peak_memory_max = 1 << 20;
  a.duration_sketch = "0;10;1,,1";
  a.cpu_sketch = "1;3;2";
  a.memory_sketch = "0;700;2";
  return a;
}

TEST_P(StoreTest, AggregatesKeepEveryFieldAndFilter) {
  auto store = open();
  ASSERT_TRUE(store);
  const AggregateRow a = aggregate(Granularity::kMinute, 60'000, 1, "executed", 3);
  ASSERT_TRUE(store
                  ->add_aggregates({a, aggregate(Granularity::kMinute, 120'000, 2, "refused", 1),
                                    aggregate(Granularity::kHour, 0, 1, "executed", 3)})
                  .ok());
  auto all = store->list_aggregates({Granularity::kMinute, 0, 180'000});
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  auto mine = store->list_aggregates({Granularity::kMinute, 0, 180'000, 1u});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  const AggregateRow& r = mine->front();
  EXPECT_EQ(r.granularity, Granularity::kMinute);
  EXPECT_EQ(r.bucket_start_ms, 60'000);
  EXPECT_EQ(r.key_id, 7u);
  EXPECT_EQ(r.type, "shell");
  EXPECT_EQ(r.outcome, "executed");
  EXPECT_EQ(r.count, 3u);
  EXPECT_EQ(r.cost, 6u);
  EXPECT_EQ(r.duration_ms_sum, 40);
  EXPECT_EQ(r.duration_ms_max, 30);
  EXPECT_EQ(r.cpu_ms_sum, 9);
  EXPECT_EQ(r.cpu_ms_max, 5);
  EXPECT_EQ(r.peak_memory_max, 1 << 20);
  EXPECT_EQ(r.duration_sketch, a.duration_sketch);
  EXPECT_EQ(r.cpu_sketch, a.cpu_sketch);
  EXPECT_EQ(r.memory_sketch, a.memory_sketch);
  auto refused = store->list_aggregates({Granularity::kMinute, 0, 180'000, std::nullopt,
                                         std::string("shell"), std::string("refused")});
  ASSERT_TRUE(refused.ok());
  ASSERT_EQ(refused->size(), 1u);
  EXPECT_EQ(refused->front().limit, "calendar:day:500");
  auto later = store->list_aggregates({Granularity::kMinute, 120'000, 180'000});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->size(), 1u);  // from inclusive, to exclusive
}

TEST_P(StoreTest, AggregateSketchesComeBackByteForByte) {
  using namespace std::string_literals;
  auto store = open();
  ASSERT_TRUE(store);
  AggregateRow a = aggregate(Granularity::kDay, 0, 1, "executed", 3);
  a.duration_sketch = "\x01\x00\x05\x02\x00\xff\x01"s;  // NUL and high bytes: not text
  a.cpu_sketch = "\x01\x03"s;
  a.memory_sketch = "0;700;2";  // the text form of earlier versions, kept as written
  AggregateRow none = aggregate(Granularity::kDay, 0, 2, "admitted", 1);
  none.duration_sketch = none.cpu_sketch = none.memory_sketch = "";
  ASSERT_TRUE(store->add_aggregates({a, none}).ok());
  store.reset();
  auto rows = open()->list_aggregates({Granularity::kDay, 0, 86'400'000});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  for (const AggregateRow& r : rows.value()) {
    const AggregateRow& expected = r.user_id == 1 ? a : none;
    EXPECT_EQ(r.duration_sketch, expected.duration_sketch);
    EXPECT_EQ(r.cpu_sketch, expected.cpu_sketch);
    EXPECT_EQ(r.memory_sketch, expected.memory_sketch);
  }
}

TEST_P(StoreTest, ScanningAggregatesPassesTheRowsListingReturns) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->add_aggregates({aggregate(Granularity::kHour, 0, 1, "executed", 1),
                                    aggregate(Granularity::kHour, 0, 2, "refused", 2),
                                    aggregate(Granularity::kHour, 3'600'000, 1, "executed", 4)})
                  .ok());
  std::vector<AggregateRow> scanned;
  ASSERT_TRUE(store
                  ->scan_aggregates({Granularity::kHour, 0, 3'600'000},
                                    [&](const AggregateRowView& r) { scanned.push_back(owned(r)); })
                  .ok());
  ASSERT_EQ(scanned.size(), 2u);
  std::sort(scanned.begin(), scanned.end(),
            [](const AggregateRow& x, const AggregateRow& y) { return x.user_id < y.user_id; });
  EXPECT_EQ(scanned[0].count, 1u);
  EXPECT_EQ(scanned[1].outcome, "refused");
  EXPECT_EQ(scanned[1].limit, "calendar:day:500");
  EXPECT_EQ(scanned[1].duration_sketch, "0;10;1,,1");
}

TEST_P(StoreTest, ReplacingAggregatesTouchesOnlyTheirScope) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->add_aggregates({aggregate(Granularity::kHour, 0, 1, "executed", 1),
                                    aggregate(Granularity::kHour, 0, 1, "executed", 2),
                                    aggregate(Granularity::kHour, 0, 1, "admitted", 5),
                                    aggregate(Granularity::kHour, 3'600'000, 1, "executed", 4),
                                    aggregate(Granularity::kDay, 0, 1, "executed", 3)})
                  .ok());
  ASSERT_TRUE(store
                  ->replace_aggregates({Granularity::kHour, 0, 3'600'000, {"executed", "failed"}},
                                       {aggregate(Granularity::kHour, 0, 1, "executed", 9)})
                  .ok());
  auto first = store->list_aggregates({Granularity::kHour, 0, 3'600'000});
  ASSERT_TRUE(first.ok());
  uint64_t executed = 0, admitted = 0;
  for (const AggregateRow& r : first.value())
    (r.outcome == "executed" ? executed : admitted) += r.count;
  EXPECT_EQ(executed, 9u);
  EXPECT_EQ(admitted, 5u);  // another outcome: kept
  auto second = store->list_aggregates({Granularity::kHour, 3'600'000, 7'200'000});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->size(), 1u);  // another bucket: kept
  auto days = store->list_aggregates({Granularity::kDay, 0, 86'400'000});
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->size(), 1u);  // another granularity: kept
  ASSERT_TRUE(store->replace_aggregates({Granularity::kHour, 0, 3'600'000, {}}, {}).ok());
  auto emptied = store->list_aggregates({Granularity::kHour, 0, 3'600'000});
  ASSERT_TRUE(emptied.ok());
  EXPECT_TRUE(emptied->empty());  // no outcomes named: every outcome
}

TEST_P(StoreTest, AggregateRetentionDeletesOnlyOldRowsOfOneGranularity) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->add_aggregates({aggregate(Granularity::kMinute, 0, 1, "executed", 1),
                                    aggregate(Granularity::kMinute, 60'000, 1, "executed", 1),
                                    aggregate(Granularity::kHour, 0, 1, "executed", 1)})
                  .ok());
  auto deleted = store->delete_aggregates_before(Granularity::kMinute, 60'000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.value(), 1u);
  EXPECT_EQ(store->list_aggregates({Granularity::kMinute, 0, 120'000})->size(), 1u);
  EXPECT_EQ(store->list_aggregates({Granularity::kHour, 0, 120'000})->size(), 1u);
}

TEST_P(StoreTest, ScanningExecutionsPassesEachInRangeOnceOldestFirst) {
  auto store = open();
  ASSERT_TRUE(store);
  WriteBatch batch;
  // More than one page (10,000), with many sharing a start time.
  for (int i = 0; i < 10'050; ++i)
    batch.executions.push_back(execution("e" + std::to_string(i), 1000 + i / 100));
  batch.executions.push_back(execution("late", 999'999));
  ASSERT_TRUE(store->commit_batch(batch, std::nullopt).ok());
  std::set<std::string> seen;
  int64_t last = 0;
  bool ordered = true;
  ASSERT_TRUE(store
                  ->scan_executions(1000, 500'000,
                                    [&](const Execution& e) {
                                      ordered = ordered && e.started_at_ms >= last;
                                      last = e.started_at_ms;
                                      seen.insert(e.id);
                                    })
                  .ok());
  EXPECT_TRUE(ordered);
  EXPECT_EQ(seen.size(), 10'050u);
  EXPECT_EQ(seen.count("late"), 0u);
}

namespace poison {

// Makes the database refuse, as a database refuses content it cannot keep, every write that
// holds the text "poison": a trigger on each table the write queue fills.
void refuse_poison(Backend backend, const std::function<int64_t(const std::string&)>& sql) {
  const std::pair<const char*, const char*> tables[] = {{"executions", "command"},
                                                        {"quota_usage", "type"},
                                                        {"violations", "command"},
                                                        {"confirm_decisions", "command"}};
  if (backend == Backend::kPostgres) {
    sql("CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF to_jsonb(NEW)::text LIKE '%poison%' THEN RAISE EXCEPTION 'poison refused'; END IF; "
        "RETURN NEW; END $$");
  }
  for (auto [table, column] : tables) {
    const std::string name = std::string("refuse_poison_") + table;
    if (backend == Backend::kPostgres) {
      sql("CREATE TRIGGER " + name + " BEFORE INSERT ON " + table +
          " FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
    } else {
      sql("CREATE TRIGGER " + name + " BEFORE INSERT ON " + table + " WHEN NEW." + column +
          " LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poison refused'); END");
    }
  }
}

}  // namespace poison

TEST_P(StoreTest, AWriteTheDatabaseRefusesIsSetAsideAndEveryOtherWriteIsStored) {
  auto store = open();
  ASSERT_TRUE(store);
  poison::refuse_poison(GetParam(), [&](const std::string& s) { return sql(s); });
  std::vector<std::future<Result<bool>>> answers;
  for (int i = 0; i < 5; ++i) {
    Execution e = execution("e" + std::to_string(i));
    if (i == 2) e.command = "poison";
    auto done = std::make_shared<std::promise<Result<bool>>>();
    answers.push_back(done->get_future());
    store->record_execution(std::move(e), [done](Result<bool> r) { done->set_value(r); });
  }
  for (int i = 0; i < 10; ++i) {
    // A second apart: ten episodes, one of them poison.
    store->record_violation({1, 2, "shell", "rate:1s:1", i == 7 ? "poison" : "ls", 1000 * (i + 1)});
    store->add_usage({1, 2, i == 3 ? "poison" : "shell", 0, 1});
    ConfirmDecision d;
    d.at_ms = 1000 + i;
    d.user = "alice";
    d.command = i == 5 ? "poison" : "ls";
    d.decision = "approve";
    d.source = "pattern";
    store->record_decision(std::move(d));
  }
  ASSERT_TRUE(store->flush().ok());

  for (size_t i = 0; i < answers.size(); ++i) {
    Result<bool> r = answers[i].get();
    EXPECT_EQ(r.ok(), i != 2) << i;
  }
  EXPECT_EQ(sql("SELECT COUNT(*) FROM executions"), 4);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM violations"), 9);
  EXPECT_EQ(sql("SELECT SUM(used) FROM quota_usage"), 9);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM confirm_decisions"), 9);
  auto letters = store->list_dead_letters(10);
  ASSERT_TRUE(letters.ok()) << letters.status().message();
  std::multiset<std::string> kinds;
  for (const DeadLetter& d : letters.value()) {
    kinds.insert(d.kind);
    EXPECT_NE(d.row.find("poison"), std::string::npos) << d.row;
    EXPECT_NE(d.error.find("poison refused"), std::string::npos) << d.error;
  }
  EXPECT_EQ(kinds, (std::multiset<std::string>{"decision", "execution", "usage", "violation"}));
  const StoreHealth h = store->health();
  EXPECT_TRUE(h.ok) << h.detail;
  EXPECT_EQ(h.dead_letters, 4u);
}

TEST_P(StoreTest, TextOfAnyShapeIsStoredAsItIsAndANulNeverBlocksABatch) {
  auto store = open();
  ASSERT_TRUE(store);
  const std::string shaped = R"(x"},{"\\y NULL {} ' ")";
  using namespace std::string_literals;
  store->record_violation({1, 2, "shell", "rate:1s:1", shaped, 1000});
  store->record_violation({1, 2, "shell", "rate:1s:1", "a\0b"s, 2000});
  store->record_violation({1, 2, "shell", "rate:1s:1", "ls", 3000});
  ASSERT_TRUE(store->flush().ok());
  auto listed = store->list_violations({});
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  std::set<std::string> commands;
  for (const ViolationRecord& v : listed.value()) commands.insert(v.violation.command);
  EXPECT_TRUE(commands.contains(shaped));
  EXPECT_TRUE(commands.contains("ls"));
  // PostgreSQL's text cannot hold a NUL: that row alone is set aside. SQLite keeps it.
  const size_t set_aside = GetParam() == Backend::kPostgres ? 1 : 0;
  EXPECT_EQ(listed->size(), 3 - set_aside);
  EXPECT_EQ(store->list_dead_letters(10)->size(), set_aside);
  EXPECT_TRUE(store->health().ok) << store->health().detail;
}

}  // namespace
}  // namespace gaia::store
