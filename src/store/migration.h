#pragma once
// What every backend's schema versioning shares: numbered migrations recorded in a
// `schema_migrations` table, applied in order at start-up, and a database migrated by a
// newer binary refused. Each dialect lists its own SQL under the same version numbers
// (sqlite/migrations.cc, postgres/migrations.cc), so a version means the same schema in both.

#include <span>

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

}  // namespace gaia::store
