#include "app/chores.h"

#include <algorithm>

namespace gaia::app {

Chores::Chores(std::vector<Chore> chores)
    : chores_(std::move(chores)), thread_([this] { loop(); }) {}

Chores::~Chores() {
  {
    core::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Chores::loop() {
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> due(chores_.size(), Clock::now());
  core::MutexLock lock(mu_);
  // The first round runs even if a stop came first: "at start" is a promise.
  for (;;) {
    for (size_t i = 0; i < chores_.size(); ++i) {
      if (Clock::now() < due[i]) continue;
      lock.unlock();
      chores_[i].run();
      lock.lock();
      due[i] = Clock::now() + chores_[i].every;
    }
    if (wake_.wait_until(mu_, *std::min_element(due.begin(), due.end()),
                         [&]() REQUIRES(mu_) { return stopping_; })) {
      return;
    }
  }
}

}  // namespace gaia::app
