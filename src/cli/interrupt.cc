#include "cli/interrupt.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

namespace gaia::cli {
namespace {

// Lock-free atomics are async-signal-safe; the handler touches nothing else but write(2).
std::atomic<int> g_signal{0};
std::atomic<int> g_read_fd{-1};
std::atomic<int> g_write_fd{-1};
static_assert(std::atomic<int>::is_always_lock_free);

void on_signal(int sig) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, sig)) return;  // only the first counts
  const int saved = errno;
  const char byte = 1;
  // The pipe is empty until now, so this cannot block or fail for want of room.
  [[maybe_unused]] ssize_t n = ::write(g_write_fd.load(), &byte, 1);
  errno = saved;
}

}  // namespace

bool Interrupt::install() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  g_read_fd.store(fds[0]);
  g_write_fd.store(fds[1]);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked call returns EINTR and re-polls fd()
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return true;
}

int Interrupt::fd() { return g_read_fd.load(); }

int Interrupt::signal() { return g_signal.load(); }

bool Interrupt::sleep_for(std::chrono::milliseconds how_long, const core::Clock& clock) {
  const int fd = g_read_fd.load();
  pollfd p{fd, POLLIN, 0};
  const core::MonoTime deadline = clock.mono_now() + how_long;
  for (;;) {
    if (signal() != 0) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.mono_now());
    if (left.count() <= 0) return false;
    ::poll(&p, fd >= 0 ? 1 : 0, static_cast<int>(left.count()));
  }
}

}  // namespace gaia::cli
