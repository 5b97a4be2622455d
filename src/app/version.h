#pragma once
// The version gaia_server reports on /health and --version.

namespace gaia::app {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace gaia::app
