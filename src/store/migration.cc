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

}  // namespace gaia::store
