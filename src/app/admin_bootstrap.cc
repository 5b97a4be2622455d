#include "app/admin_bootstrap.h"

#include <string_view>

namespace gaia::app {
namespace {

constexpr std::string_view kAdmin = "admin";

bool ensure_admin_user(identity::Directory& directory, int64_t now_ms, std::ostream& err) {
  if (directory.find_user(kAdmin)) return true;
  auto user = directory.create_user(kAdmin, core::Tier::kEnterprise, now_ms);
  if (!user.ok())
    err << "[ERROR] creating the admin user: " << user.status().message() << std::endl;
  return user.ok();
}

// Adopts GAIA_ADMIN_KEY; false only when the directory fails. A revoked value stays revoked.
bool adopt_env_key(const Config& config, identity::Directory& directory, int64_t now_ms,
                   std::ostream& out, std::ostream& err) {
  if (!ensure_admin_user(directory, now_ms, err)) return false;
  auto outcome = directory.adopt_env_key(kAdmin, config.admin_key, now_ms);
  if (!outcome.ok()) {
    err << "[ERROR] registering GAIA_ADMIN_KEY: " << outcome.status().message() << std::endl;
    return false;
  }
  for (const store::ApiKey& k : outcome->retired) {
    out << "[INIT] GAIA_ADMIN_KEY changed: the key it set before (id " << k.id << ") is revoked"
        << std::endl;
  }
  if (outcome->state == identity::EnvKeyOutcome::State::kRevoked) {
    err << "[WARN] GAIA_ADMIN_KEY is a revoked key (revoked at " << *outcome->revoked_at_ms
        << " ms since the epoch): it stays revoked and signs nobody in; set a new value"
        << std::endl;
  }
  return true;
}

}  // namespace

bool bootstrap_admin(const Config& config, identity::Directory& directory, int64_t now_ms,
                     std::ostream& out, std::ostream& err) {
  if (!config.admin_key.empty() && !adopt_env_key(config, directory, now_ms, out, err)) {
    return false;
  }
  if (directory.has_admin_key()) return true;
  if (!ensure_admin_user(directory, now_ms, err)) return false;
  auto key = directory.create_key(kAdmin, store::Role::kAdmin, "first start", now_ms);
  if (!key.ok()) {
    err << "[ERROR] creating the admin key: " << key.status().message() << std::endl;
    return false;
  }
  out << "[INIT] Admin key (shown only this once, keep it): " << key->key << std::endl;
  return true;
}

}  // namespace gaia::app
