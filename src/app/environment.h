#pragma once
// Reads gaia_server's settings from an environment block (PORT, GAIA_BIND, DATABASE_URL,
// GAIA_TIME_ZONE, GAIA_THREADS, GAIA_CONFIG). Pure; any thread.

#include "app/config.h"

namespace gaia::app {

// The settings named in `envp` ("NAME=value" strings, null-terminated array, like `environ`).
Settings settings_from_environment(const char* const* envp);

}  // namespace gaia::app
