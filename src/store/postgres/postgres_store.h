#pragma once
// The Store on a PostgreSQL database (DATABASE_URL=postgres://...), the store several
// servers share. Synchronous calls share one connection under a lock; the group-commit
// writer owns another, and writes each batch as a few multi-row statements (unnest of
// arrays) in one transaction. Prepared statements throughout; a lost connection is
// re-established by the next call. Each role is implemented in its own file
// (postgres/<role>_store.cc) on the shared Database (database.h); this class composes them
// and commits the write queue's batches.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/detail/composed_store.h"
#include "store/postgres/database.h"

namespace gaia::store::postgres {

class PostgresStore final : public detail::ComposedStore {
 public:
  // Connects to `url`, applies migrations, starts the writer. kUnavailable when the server
  // cannot be reached. `clock` must outlive the store.
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                     const core::Clock& clock);
  ~PostgresStore() override;

  Result<std::vector<bool>> commit_batch(const WriteBatch& batch,
                                         std::optional<JournalMark> mark) override;
  Result<uint64_t> journal_applied_through(uint64_t segment) override;

 private:
  PostgresStore(std::unique_ptr<Database> db, const core::Clock& clock);

  const std::unique_ptr<Database> db_;
};

}  // namespace gaia::store::postgres
