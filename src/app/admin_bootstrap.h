#pragma once
// The admin account at start-up: user "admin" (enterprise tier) with an admin key, which is
// GAIA_ADMIN_KEY when given, else one made on the very first start and printed that once.
// The key GAIA_ADMIN_KEY registered is remembered as such: a new value revokes it, and a
// value that was revoked stays revoked (logged as a [WARN]; the server still starts, and
// prints a new admin key if no admin key is left).
//
// Threads: the main thread, before the directory is shared.

#include <cstdint>
#include <ostream>

#include "app/config.h"
#include "identity/directory.h"

namespace gaia::app {

// Makes sure `directory` has an admin key: adopts config.admin_key when set (creating user
// "admin" if missing, revoking the key an earlier value registered); then, if there is no
// live admin key, creates one and prints it on `out` as an [INIT] line. False, with the
// reason on `err`, when the directory refuses.
bool bootstrap_admin(const Config& config, identity::Directory& directory, int64_t now_ms,
                     std::ostream& out, std::ostream& err);

}  // namespace gaia::app
