#pragma once
// What every backend's schema versioning shares: numbered migrations recorded in a
// `schema_migrations` table, applied in order at start-up, and a database migrated by a
// newer binary refused. Each dialect lists its own SQL under the same version numbers
// (sqlite/migrations.cc, postgres/migrations.cc), so a version means the same schema in both.

#include <functional>
#include <span>
#include <string>

#include "core/status.h"

namespace gaia::store {

struct Migration {
  int version;
  const char* sql;  // one or more statements
};

// The newest version in `migrations` (ordered by version).
int latest_version(std::span<const Migration> migrations);

// kInvalidArgument, naming both versions, when the database's schema `found` is newer than
// `latest`, the newest this binary knows; OK otherwise.
core::Status check_schema_version(int found, int latest);

// What differs between the dialects when a migration is recorded.
struct MigrationDialect {
  const char* begin;   // opens the migration's transaction, e.g. "BEGIN IMMEDIATE"
  const char* now_ms;  // an SQL expression of the time now, in ms since the epoch
};

// The migration runner: refuses a database whose schema `current` is newer than
// `migrations` know (check_schema_version), then applies, in order, every migration newer
// than `current` and not newer than `through`, each in one transaction with its row in
// `schema_migrations`, by passing its SQL to `exec` (which may run several statements). On
// failure the failing migration is rolled back; those before it stay applied.
core::Status apply_migrations(std::span<const Migration> migrations, int current, int through,
                              const MigrationDialect& dialect,
                              const std::function<core::Status(const std::string&)>& exec);

}  // namespace gaia::store
