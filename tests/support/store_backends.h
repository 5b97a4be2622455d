#pragma once
// StoreBackendTest: a fixture run once per Store backend, SQLite in a temporary directory and
// PostgreSQL in the binary's throwaway cluster (postgres_cluster.h, a new database per test).
// open() may be called again to reopen the same database, as a restart would.
//
// Example:
//   class MyStoreTest : public testing::StoreBackendTest {};
//   INSTANTIATE_TEST_SUITE_P(Backends, MyStoreTest,
//                            Values(StoreBackend::kSqlite, StoreBackend::kPostgres),
//                            store_backend_name);

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"

namespace gaia::testing {

enum class StoreBackend { kSqlite, kPostgres };

inline std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::kSqlite ? "Sqlite" : "Postgres";
}

class StoreBackendTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  // The SQLite backend keeps its file at `sqlite_file` under the temporary directory.
  explicit StoreBackendTest(const std::string& sqlite_file = "gaia.db")
      : path_(dir_.file(sqlite_file)) {}

  void SetUp() override {
    if (GetParam() == StoreBackend::kPostgres) url_ = shared_postgres().create_database();
  }

  // The test's database through the backend under test; nullptr (and a test failure naming
  // why) when it does not open.
  std::unique_ptr<store::Store> open() {
    if (GetParam() == StoreBackend::kSqlite) {
      auto store = store::sqlite::SqliteStore::open(path_, clock_);
      EXPECT_TRUE(store.ok()) << store.status().message();
      return store.ok() ? std::move(store.value()) : nullptr;
    }
    auto store = store::postgres::PostgresStore::open(url_, clock_);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store.value()) : nullptr;
  }

  ManualClock clock_;
  TempDir dir_;
  std::string path_;  // the SQLite file
  std::string url_;   // the PostgreSQL database, for StoreBackend::kPostgres
};

}  // namespace gaia::testing
