#pragma once
// The function library of Gaia's counters (counters.lua beside this file), embedded at build
// time and loaded into Redis with FUNCTION LOAD REPLACE.

#include <string_view>

namespace gaia::cluster::redis {

extern const std::string_view kCountersLua;

}  // namespace gaia::cluster::redis
