#pragma once
// A loopback port that nothing listens on, for a test of what a client does when its server is
// down ("connection refused"). A server a test starts binds port 0 and reports the port it got
// instead: a port picked here may be taken by another process before anything binds it.

#include <cstdint>

namespace gaia::testing {

// A loopback port that was free a moment ago, so connecting to it is refused.
uint16_t refused_port();

// The old name of refused_port(), still used by the CLI's client tests.
inline uint16_t free_port() { return refused_port(); }

}  // namespace gaia::testing
