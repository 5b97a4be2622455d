#pragma once
// Interrupt: turns SIGINT and SIGTERM into something a blocking client can wait on. After
// install(), the first such signal is remembered and makes fd() readable for good (a pipe
// that is written once and never read), so every poll() that includes fd() wakes up, in any
// thread: gaia exec and gaia run close their connections (which cancels their commands on the
// server) and exit 128 + the signal.
//
// Threads: install() once, from main, before other threads start; the rest from any thread.
//
// Example:
//   Interrupt::install();
//   RemoteHttpClient client(url, timeout, connect_timeout, Interrupt::fd());
//   ... if (Interrupt::signal() != 0) return 128 + Interrupt::signal();

#include <chrono>

#include "core/clock.h"

namespace gaia::cli {

class Interrupt {
 public:
  // Installs the handlers. Returns false (and installs nothing) if no pipe could be made.
  static bool install();

  // Readable once a signal came; -1 before install().
  static int fd();

  // The first signal received (SIGINT or SIGTERM), 0 if none yet.
  static int signal();

  // Sleeps until `how_long` has passed by `clock` or a signal came, whichever is first. True if
  // a signal came.
  static bool sleep_for(std::chrono::milliseconds how_long, const core::Clock& clock);
};

}  // namespace gaia::cli
