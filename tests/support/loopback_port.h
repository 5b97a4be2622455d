#pragma once
// Loopback ports for tests that need one before anything listens on it.

#include <cstdint>

namespace gaia::testing {

// A loopback port that was free a moment ago: nothing listens on it, and a server the test
// starts next can take it (the kernel rarely hands the same port out again at once).
uint16_t free_port();

}  // namespace gaia::testing
