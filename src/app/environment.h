#pragma once
// Reads gaia_server's settings from an environment block: the variables of the table in
// settings.h (PORT, GAIA_BIND, DATABASE_URL, GAIA_CONFIG, GAIA_ADMIN_KEY...). Pure; any thread.

#include "app/config.h"

namespace gaia::app {

// The settings named in `envp` ("NAME=value" strings, null-terminated array, like `environ`),
// by setting key. An empty value counts as unset.
Settings settings_from_environment(const char* const* envp);

}  // namespace gaia::app
