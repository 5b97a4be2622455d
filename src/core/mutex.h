#pragma once
// A std::mutex with clang thread-safety annotations (empty under GCC), after LevelDB's
// port/thread_annotations.h.

#include <mutex>

#if defined(__clang__)
#define GAIA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GAIA_THREAD_ANNOTATION(x)
#endif
#define GUARDED_BY(x) GAIA_THREAD_ANNOTATION(guarded_by(x))
#define ACQUIRE(...) GAIA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) GAIA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

namespace gaia::core {

class GAIA_THREAD_ANNOTATION(capability("mutex")) Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

}  // namespace gaia::core
