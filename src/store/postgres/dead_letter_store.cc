// PostgresStore's dead letters (store/dead_letter_store.h).

#include "store/sql/dead_letter_store.h"

#include "store/detail/sql_text.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {
namespace {

class PostgresDeadLetterStore final : public DeadLetterStore {
 public:
  explicit PostgresDeadLetterStore(Database& db) : db_(db) {}

  Status add_dead_letter(const DeadLetter& letter) override;
  Result<std::vector<DeadLetter>> list_dead_letters(size_t limit) override;

 private:
  Database& db_;
};

// On the writer's connection: the write queue sets a letter aside between two commits.
Status PostgresDeadLetterStore::add_dead_letter(const DeadLetter& d) {
  core::MutexLock lock(db_.write_mu);
  auto rows = db_.writer->run("add_dead_letter", detail::postgres_text<sql::kAddDeadLetter>,
                              {param(d.at_ms), param(d.kind), param(d.row), param(d.error)});
  return rows.ok() ? Status() : rows.status();
}

Result<std::vector<DeadLetter>> PostgresDeadLetterStore::list_dead_letters(size_t limit) {
  core::MutexLock lock(db_.mu);
  auto rows = db_.conn->run("list_dead_letters", detail::postgres_text<sql::kListDeadLetters>,
                            {param(static_cast<int64_t>(limit))});
  if (!rows.ok()) return rows.status();
  return rows->collect<DeadLetter>([](const Row& r) {
    return DeadLetter{r.uint64(0), r.int64(1), r.text(2), r.text(3), r.text(4)};
  });
}

}  // namespace

std::unique_ptr<DeadLetterStore> make_dead_letter_store(Database& db) {
  return std::make_unique<PostgresDeadLetterStore>(db);
}

}  // namespace gaia::store::postgres
