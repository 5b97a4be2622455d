#pragma once
// The SQLite schema as numbered migrations, applied in order at start-up and recorded in
// `schema_migrations`. A database migrated by a newer binary is refused.

#include "store/sqlite/connection.h"

namespace gaia::store::sqlite {

// The newest schema version this binary knows.
int latest_schema_version();

// Applies every migration the database lacks, each in its own transaction, up to version
// `through` (a smaller one leaves the database as an earlier binary would have).
core::Status migrate(Connection& db, int through = latest_schema_version());

}  // namespace gaia::store::sqlite
