#pragma once
// Background chores on one thread: limiter sweeps every second, retention hourly.
// Stops (and joins) on destruction.

#include <functional>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"

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
  core::Mutex mu_;
  core::CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gaia::app
