#pragma once
// saturating_add: a sum that stops at the type's largest (or smallest) value instead of
// wrapping. Every sum over stored or client-given figures (durations, CPU time, usage,
// counts) uses it, so that no amount of input can turn a total negative or small.
// Threads: a pure function.

#include <limits>
#include <type_traits>

namespace gaia::core {

template <class T>
requires std::is_integral_v<T>
constexpr T saturating_add(T a, T b) {
  T sum;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  // Only terms of one sign overflow: the sign of b says which bound was passed.
  return b < 0 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
}

}  // namespace gaia::core
