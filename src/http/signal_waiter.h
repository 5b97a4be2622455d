#pragma once
// SignalWaiter: blocks a thread until SIGINT or SIGTERM arrives, so that main() can shut down
// cleanly (Asio's signal_set behind a small interface). Construct it before starting threads
// that should not see the default action; from then on those signals no longer kill the
// process.
//
// Threads: wait() on one thread; cancel() from any thread.

#include <memory>

namespace gaia::http {

class SignalWaiter {
 public:
  SignalWaiter();  // starts catching SIGINT and SIGTERM
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Blocks until a signal arrives (returns its number) or cancel() is called (returns 0).
  int wait();
  void cancel();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gaia::http
