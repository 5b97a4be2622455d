#pragma once
// Background chores on one thread: limiter sweeps every second, retention hourly.
// Stops (and joins) on destruction.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace gaia::app {

class Chores {
 public:
  struct Chore {
    std::chrono::milliseconds every;
    std::function<void()> run;
  };
  // Runs each chore once at start (even if destroyed at once), then every `every`.
  explicit Chores(std::vector<Chore> chores);
  ~Chores();
  Chores(const Chores&) = delete;
  Chores& operator=(const Chores&) = delete;

 private:
  void loop();

  std::vector<Chore> chores_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gaia::app
