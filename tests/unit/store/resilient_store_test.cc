// The ResilientStore over real backends: a SQLite file another connection holds locked, and
// a PostgreSQL server stopped and started again.

#include "store/journal/resilient_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <future>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"

namespace gaia::store::journal {
namespace {

Execution execution(std::string id) {
  Execution e;
  e.id = std::move(id);
  e.user_id = 1;
  e.key_id = 2;
  e.type = "shell";
  e.command = "make test";
  e.exit_code = 0;
  return e;
}

Result<bool> record(Store& store, Execution e) {
  std::promise<Result<bool>> done;
  store.record_execution(std::move(e), [&](Result<bool> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

uint64_t usage_sum(Store& store) {
  uint64_t sum = 0;
  auto rows = store.usage_since(0);
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  if (!rows.ok()) return 0;
  for (const Usage& u : rows.value()) sum += u.used;
  return sum;
}

// The recovery thread stays out of the way: each test replays when it chooses.
ResilientOptions manual(FailureMode failure = FailureMode::kOpen) {
  ResilientOptions options;
  options.failure = failure;
  options.probe_interval = std::chrono::hours(1);
  return options;
}

class ResilientSqliteTest : public ::testing::Test {
 protected:
  std::unique_ptr<ResilientStore> open() {
    auto inner = sqlite::SqliteStore::open(path_, clock_);
    EXPECT_TRUE(inner.ok()) << inner.status().message();
    auto journal = Journal::open(dir_.path() / "journal");
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    return std::make_unique<ResilientStore>(std::move(inner.value()), std::move(journal.value()),
                                            clock_, manual());
  }
  // Another process's transaction holding the file's write lock until unlock().
  void lock() {
    ASSERT_EQ(sqlite3_open(path_.c_str(), &locker_), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(locker_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void unlock() {
    sqlite3_exec(locker_, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(locker_);
    locker_ = nullptr;
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::string path_ = dir_.file("gaia.db");
  sqlite3* locker_ = nullptr;
};

TEST_F(ResilientSqliteTest, WritesGoToTheJournalWhileTheFileIsLockedAndAreReplayedOnce) {
  auto store = open();
  ASSERT_TRUE(record(*store, execution("before")).value());
  lock();
  auto answered = record(*store, execution("during"));  // waits out the busy timeout once
  ASSERT_TRUE(answered.ok()) << answered.status().message();
  EXPECT_TRUE(answered.value());
  for (int i = 0; i < 10; ++i) store->add_usage({1, 2, "shell", 0, 1});
  store->record_violation({1, 2, "shell", "calendar:day:500", "ls", 5});
  ASSERT_TRUE(store->flush().ok());

  StoreHealth h = store->health();
  EXPECT_FALSE(h.ok);
  EXPECT_TRUE(h.journaling);
  EXPECT_EQ(h.journal_records, 12u);
  EXPECT_GT(h.journal_bytes, 0u);
  EXPECT_NE(h.detail.find("database unavailable"), std::string::npos) << h.detail;
  EXPECT_TRUE(store->accepts_admissions());  // fail open by default

  unlock();
  ASSERT_TRUE(store->replay().ok());
  ASSERT_TRUE(store->replay().ok());  // nothing is applied twice
  EXPECT_EQ(store->count_executions().value(), 2u);
  EXPECT_TRUE(store->find_execution(1, "during").value().has_value());
  EXPECT_EQ(usage_sum(*store), 10u);
  EXPECT_EQ(store->violations_since(0).value().size(), 1u);
  h = store->health();
  EXPECT_TRUE(h.ok) << h.detail;
  EXPECT_FALSE(h.journaling);
  EXPECT_EQ(h.journal_records, 0u);

  // Back to the database directly.
  ASSERT_TRUE(record(*store, execution("after")).value());
  EXPECT_EQ(store->health().journal_records, 0u);
}

TEST_F(ResilientSqliteTest, AJournalledWriteTheDatabaseRefusesIsSetAsideAndTheReplayEnds) {
  auto store = open();
  lock();
  // A second apart: three episodes, not one.
  store->record_violation({1, 2, "shell", "calendar:day:500", "ls", 5'000});
  store->record_violation({1, 2, "shell", "calendar:day:500", "poison", 6'000});
  store->record_violation({1, 2, "shell", "calendar:day:500", "make", 7'000});
  ASSERT_TRUE(store->flush().ok());
  ASSERT_TRUE(store->health().journaling);
  unlock();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER refuse_poison BEFORE INSERT ON violations WHEN "
                         "NEW.command = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  ASSERT_TRUE(store->replay().ok());
  EXPECT_EQ(store->violations_since(0).value().size(), 2u);
  auto letters = store->list_dead_letters(10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_NE(letters->front().row.find("poison"), std::string::npos);
  const StoreHealth h = store->health();
  EXPECT_TRUE(h.ok) << h.detail;
  EXPECT_EQ(h.journal_records, 0u);
}

TEST_F(ResilientSqliteTest, DecisionsAreJournalledDuringAnOutageAndReplayedOnce) {
  auto store = open();
  lock();
  ConfirmDecision d;
  d.user = "ann";
  d.command = "rm -rf /";
  d.decision = "deny";
  d.source = "pattern";
  d.at_ms = 9;
  store->record_decision(d);
  ASSERT_TRUE(store->flush().ok());
  EXPECT_TRUE(store->health().journaling);
  EXPECT_EQ(store->health().journal_records, 1u);
  unlock();
  ASSERT_TRUE(store->replay().ok());
  ASSERT_TRUE(store->replay().ok());
  auto rows = store->list_decisions({.user = "ann"});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().command, "rm -rf /");
  // The other confirmation calls go straight to the backend.
  ASSERT_TRUE(store->put_pattern({"p", "{}", 1}).ok());
  EXPECT_EQ(store->list_patterns().value().size(), 1u);
  ASSERT_TRUE(store->put_reputations({{"ann", 50, 1, "[]"}}).ok());
  EXPECT_EQ(store->list_reputations().value().size(), 1u);
}

TEST_F(ResilientSqliteTest, ASegmentAppliedBeforeACrashIsNotAppliedAgain) {
  std::filesystem::path segment;
  {
    auto journal = Journal::open(dir_.path() / "journal");
    WriteBatch batch;
    batch.usage.push_back({1, 2, "shell", 0, 4});
    batch.violations.push_back({1, 2, "shell", "calendar:day:500", "ls", 5});
    ASSERT_TRUE(journal.value()->append(batch).ok());
    journal.value()->seal();
    segment = journal.value()->sealed().at(0);
    // A replay that committed the segment, then died before removing its file.
    auto inner = sqlite::SqliteStore::open(path_, clock_);
    ASSERT_TRUE(
        inner.value()->commit_batch(batch, JournalMark{Journal::read(segment)->id, 2}).ok());
  }
  auto store = open();  // finds the segment again
  EXPECT_EQ(store->health().journal_records, 2u);
  ASSERT_TRUE(store->replay().ok());
  EXPECT_EQ(usage_sum(*store), 4u);
  EXPECT_EQ(store->violations_since(0).value().size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(segment));
}

// Sets or clears the immutable attribute: not even root may then create files in `dir`.
bool set_immutable(const std::filesystem::path& dir, bool on) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  int flags = 0;
  bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
  ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  ::close(fd);
  return ok;
}

class ResilientPostgresTest : public ::testing::Test {
 protected:
  // A cluster of its own: these tests stop it.
  void SetUp() override {
    std::string error;
    cluster_ = testing::PostgresCluster::create(error);
    ASSERT_TRUE(cluster_) << error;
    url_ = cluster_->create_database();
  }
  std::unique_ptr<ResilientStore> open(FailureMode failure = FailureMode::kOpen) {
    auto inner = postgres::PostgresStore::open(url_, clock_);
    EXPECT_TRUE(inner.ok()) << inner.status().message();
    auto journal = Journal::open(dir_.path() / "journal");
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    return std::make_unique<ResilientStore>(std::move(inner.value()), std::move(journal.value()),
                                            clock_, manual(failure));
  }

  std::unique_ptr<testing::PostgresCluster> cluster_;
  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::string url_;
};

TEST_F(ResilientPostgresTest, WritesGoToTheJournalWhileTheServerIsDownAndAreReplayedOnce) {
  auto store = open();
  ASSERT_TRUE(record(*store, execution("before")).value());
  cluster_->stop();
  for (std::string id : {"down-1", "down-2", "before"}) {
    auto answered = record(*store, execution(id));
    ASSERT_TRUE(answered.ok()) << answered.status().message();
  }
  for (int i = 0; i < 25; ++i) store->add_usage({1, 2, "shell", 0, 2});
  ASSERT_TRUE(store->flush().ok());
  EXPECT_TRUE(store->health().journaling);
  EXPECT_FALSE(store->replay().ok());  // still down: the journal stays
  EXPECT_EQ(store->health().journal_records, 28u);

  ASSERT_TRUE(cluster_->start());
  ASSERT_TRUE(store->replay().ok());
  EXPECT_EQ(store->count_executions().value(), 3u);
  EXPECT_EQ(usage_sum(*store), 50u);
  EXPECT_TRUE(store->health().ok);
  EXPECT_EQ(store->health().journal_records, 0u);
}

TEST_F(ResilientPostgresTest, FailClosedPausesAdmissionsOnlyDuringAnOutage) {
  auto store = open(FailureMode::kClosed);
  EXPECT_TRUE(store->accepts_admissions());
  cluster_->stop();
  ASSERT_TRUE(record(*store, execution("down")).ok());
  EXPECT_FALSE(store->accepts_admissions());
  EXPECT_TRUE(store->health().admissions_paused);
  ASSERT_TRUE(cluster_->start());
  ASSERT_TRUE(store->replay().ok());
  EXPECT_TRUE(store->accepts_admissions());
}

TEST_F(ResilientPostgresTest, AJournalThatCannotBeWrittenFailsTheWriteAndSaysSo) {
  auto store = open();
  cluster_->stop();
  ASSERT_TRUE(set_immutable(dir_.path() / "journal", true));
  auto answered = record(*store, execution("lost?"));
  set_immutable(dir_.path() / "journal", false);
  ASSERT_FALSE(answered.ok());  // never acknowledged, so never silently dropped
  EXPECT_EQ(answered.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(answered.status().message().find("journal"), std::string::npos);
  StoreHealth h = store->health();
  EXPECT_FALSE(h.ok);
  EXPECT_NE(h.detail.find("journal: cannot create"), std::string::npos) << h.detail;
  ASSERT_TRUE(cluster_->start());
}

}  // namespace
}  // namespace gaia::store::journal
