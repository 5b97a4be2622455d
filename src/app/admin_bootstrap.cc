#include "app/admin_bootstrap.h"

#include <string_view>

namespace gaia::app {

bool bootstrap_admin(const Config& config, identity::Directory& directory, int64_t now_ms,
                     std::ostream& out, std::ostream& err) {
  constexpr std::string_view kAdmin = "admin";
  if (config.admin_key.empty() && directory.has_admin_key()) return true;
  if (!directory.find_user(kAdmin)) {
    auto user = directory.create_user(kAdmin, core::Tier::kEnterprise, now_ms);
    if (!user.ok()) {
      err << "[ERROR] creating the admin user: " << user.status().message() << std::endl;
      return false;
    }
  }
  if (!config.admin_key.empty()) {
    core::Status s = directory.adopt_key(kAdmin, store::Role::kAdmin, config.admin_key, now_ms);
    if (!s.ok()) err << "[ERROR] registering GAIA_ADMIN_KEY: " << s.message() << std::endl;
    return s.ok();
  }
  auto key = directory.create_key(kAdmin, store::Role::kAdmin, "first start", now_ms);
  if (!key.ok()) {
    err << "[ERROR] creating the admin key: " << key.status().message() << std::endl;
    return false;
  }
  out << "[INIT] Admin key (shown only this once, keep it): " << key->key << std::endl;
  return true;
}

}  // namespace gaia::app
