#include "store/migration.h"

#include <string>

namespace gaia::store {

int latest_version(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

core::Status check_schema_version(int found, int latest) {
  if (found <= latest) return {};
  return core::Status::invalid_argument("the database schema is version " + std::to_string(found) +
                                        ", newer than this gaia_server knows (" +
                                        std::to_string(latest) +
                                        "): upgrade gaia_server or use another database");
}

core::Status apply_migrations(std::span<const Migration> migrations, int current, int through,
                              const MigrationDialect& dialect,
                              const std::function<core::Status(const std::string&)>& exec) {
  if (core::Status s = check_schema_version(current, latest_version(migrations)); !s.ok()) {
    return s;
  }
  for (const Migration& m : migrations) {
    if (m.version <= current || m.version > through) continue;
    std::string sql = std::string(dialect.begin) + ";\n";
    sql += m.sql;
    sql += "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (" +
           std::to_string(m.version) + ", " + dialect.now_ms + ");\nCOMMIT;";
    if (core::Status s = exec(sql); !s.ok()) {
      (void)exec("ROLLBACK");
      return core::Status::internal("migration " + std::to_string(m.version) + ": " + s.message());
    }
  }
  return {};
}

}  // namespace gaia::store
