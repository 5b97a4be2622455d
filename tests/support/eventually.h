#pragma once
// Polling for what a test waits on in another thread or process. The bound only keeps a broken
// test from hanging: no test asserts how long anything took.

#include <chrono>
#include <thread>

namespace gaia::testing {

// Polls `done` every `every` until it holds, at most about `within`; then whether it holds.
template <class Fn>
bool eventually(Fn done, std::chrono::milliseconds within, std::chrono::milliseconds every) {
  for (auto waited = std::chrono::milliseconds(0); waited < within; waited += every) {
    if (done()) return true;
    std::this_thread::sleep_for(every);
  }
  return done();
}

}  // namespace gaia::testing
