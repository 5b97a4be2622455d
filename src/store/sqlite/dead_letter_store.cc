// SqliteStore's dead letters (store/dead_letter_store.h).

#include "store/sql/dead_letter_store.h"

#include "store/sqlite/database.h"

namespace gaia::store::sqlite {
namespace {

class SqliteDeadLetterStore final : public DeadLetterStore {
 public:
  explicit SqliteDeadLetterStore(Database& db) : db_(db) {}

  Status add_dead_letter(const DeadLetter& letter) override;
  Result<std::vector<DeadLetter>> list_dead_letters(size_t limit) override;

 private:
  Database& db_;
};

// On the writer's connection: the write queue sets a letter aside between two commits.
Status SqliteDeadLetterStore::add_dead_letter(const DeadLetter& d) {
  core::MutexLock lock(db_.write_mu);
  auto stmt = db_.writer->prepare(sql::kAddDeadLetter);
  if (!stmt.ok()) return stmt.status();
  return stmt->bind(1, d.at_ms).bind(2, d.kind).bind(3, d.row).bind(4, d.error).run();
}

Result<std::vector<DeadLetter>> SqliteDeadLetterStore::list_dead_letters(size_t limit) {
  core::MutexLock lock(db_.mu);
  auto stmt = db_.conn->prepare(sql::kListDeadLetters);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, static_cast<int64_t>(limit));
  return stmt->collect<DeadLetter>([](const Statement& r) {
    return DeadLetter{r.uint64(0), r.int64(1), r.text(2), r.text(3), r.text(4)};
  });
}

}  // namespace

std::unique_ptr<DeadLetterStore> make_dead_letter_store(Database& db) {
  return std::make_unique<SqliteDeadLetterStore>(db);
}

}  // namespace gaia::store::sqlite
