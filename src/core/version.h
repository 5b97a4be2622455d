#pragma once
// The version of Gaia's programs: gaia_server reports it on /health and --version, gaia on
// --version.

namespace gaia::core {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace gaia::core
