#pragma once
// The optional configuration file: one `key = value` per line, keys as in config.h's
// kFileSettings; blank lines and lines starting with '#' are ignored; a value may be wrapped
// in double quotes. Pure functions (read_config_file reads the file); any thread.

#include <string>
#include <string_view>

#include "app/config.h"
#include "core/status.h"

namespace gaia::app {

// The settings in `text`; fails on a line without '=' or with an unknown key, naming `origin`
// (the file name) and the line number.
core::Result<Settings> parse_config_file(std::string_view text, const std::string& origin);

// Reads and parses the file at `path`; fails if it cannot be read.
core::Result<Settings> read_config_file(const std::string& path);

}  // namespace gaia::app
