#pragma once
// What every fuzz target asserts with: a property that does not hold stops the run at once
// (libFuzzer keeps the input that broke it).

namespace gaia::fuzz {

inline void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace gaia::fuzz
