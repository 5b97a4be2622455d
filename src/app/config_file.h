#pragma once
// The optional configuration file: one `key = value` per line, keys as in settings.h's table
// (every setting but the file's own path and the secrets); blank lines and lines starting
// with '#' are ignored; a value may be wrapped in double quotes. Pure functions
// (read_config_file reads the file); any thread.

#include <string>
#include <string_view>

#include "app/config.h"
#include "core/status.h"

namespace gaia::app {

// The settings in `text`; fails on a line without '=', with an unknown key or with a setting a
// file cannot hold, naming `origin` (the file name) and the line number.
core::Result<Settings> parse_config_file(std::string_view text, const std::string& origin);

// Reads and parses the file at `path`; fails if it cannot be read.
core::Result<Settings> read_config_file(const std::string& path);

}  // namespace gaia::app
