#pragma once
// A number no other call in the process returns: a tag for "this object, in this state", which
// a thread may remember without holding the object. An object made where another one was, or
// the same object changed, takes a new serial, so what was remembered never matches it again.
// Any thread.

#include <atomic>
#include <cstdint>

namespace gaia::core {

inline uint64_t next_process_serial() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace gaia::core
