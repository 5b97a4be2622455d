#pragma once
// The Store on one SQLite file in WAL mode. Synchronous calls share one connection under a
// lock; the group-commit writer owns another. WAL lets readers run beside the writer.
// Each role is implemented in its own file (sqlite/<role>_store.cc) on the shared Database
// (database.h); this class composes them and commits the write queue's batches.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/detail/composed_store.h"
#include "store/sqlite/database.h"

namespace gaia::store::sqlite {

class SqliteStore final : public detail::ComposedStore {
 public:
  // Opens `path` (creating it and its directory), applies migrations, starts the writer.
  // `clock` must outlive the store.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const core::Clock& clock);
  ~SqliteStore() override;

  Result<std::vector<bool>> commit_batch(const WriteBatch& batch,
                                         std::optional<JournalMark> mark) override;
  Result<uint64_t> journal_applied_through(uint64_t segment) override;

 private:
  SqliteStore(std::unique_ptr<Database> db, const core::Clock& clock);

  const std::unique_ptr<Database> db_;
};

}  // namespace gaia::store::sqlite
