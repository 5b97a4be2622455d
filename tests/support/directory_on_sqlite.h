#pragma once
// A key directory on a SQLite store in a test's temporary directory, opened as gaia_server
// opens them: the store, then the key secret beside it and the directory on the store. For
// fixtures that need real users and keys.
//
// Example (in SetUp):
//   testing::open_directory_on_sqlite(dir_, clock_, store_, directory_);
//   if (HasFatalFailure()) return;

#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "core/clock.h"
#include "identity/directory.h"
#include "identity/key_hasher.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gaia::testing {

// Opens both into `store` and `directory`; a failure fails the test.
inline void open_directory_on_sqlite(const TempDir& dir, const core::Clock& clock,
                                     std::unique_ptr<store::Store>& store,
                                     std::unique_ptr<identity::Directory>& directory) {
  auto opened = store::sqlite::SqliteStore::open(dir.file("gaia.db"), clock);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  store = std::move(opened.value());
  auto hasher = identity::KeyHasher::from_file(dir.file("key.secret"));
  ASSERT_TRUE(hasher.ok()) << hasher.status().message();
  auto loaded = identity::Directory::load(*store, hasher.value());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  directory = std::move(loaded.value());
}

}  // namespace gaia::testing
