// A program for the runner's tests: each sub-command behaves in one way a real command can
// (exits, crashes, ignores SIGTERM, forks, allocates, burns CPU, floods its output).
// Usage: runner_test_helper <command> [args...]

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

void say(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) std::_Exit(90);
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void sleep_forever() {
  while (true) ::pause();
}

void on_term(int) {
  const char msg[] = "term\n";
  if (::write(1, msg, sizeof msg - 1) < 0) std::_Exit(91);
}

// Allocates and touches `mib` MiB; false when the allocation fails.
bool allocate(long mib) {
  const size_t bytes = static_cast<size_t>(mib) << 20;
  char* p = static_cast<char*>(std::malloc(bytes));
  if (p == nullptr) return false;
  for (size_t i = 0; i < bytes; i += 4096) p[i] = static_cast<char>(i);
  // Keep it alive past the compiler's view.
  volatile char sink = p[bytes - 1];
  (void)sink;
  return true;
}

void burn_cpu_ms(long ms) {
  volatile unsigned long x = 0;
  const std::clock_t until = std::clock() + ms * (CLOCKS_PER_SEC / 1000);
  while (std::clock() < until) {
    for (int i = 0; i < 100000; ++i) x = x + static_cast<unsigned long>(i);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  const std::string cmd = argv[1];
  auto arg = [&](int i) { return i < argc ? std::atol(argv[i]) : 0L; };

  if (cmd == "exit") return static_cast<int>(arg(2));
  if (cmd == "segv") {
    ::kill(::getpid(), SIGSEGV);
    return 1;
  }
  if (cmd == "ready-sleep") {
    say(1, "ready\n");
    sleep_forever();
  }
  if (cmd == "ignore-term") {  // reports SIGTERM and carries on
    struct sigaction sa {};
    sa.sa_handler = on_term;
    ::sigaction(SIGTERM, &sa, nullptr);
    say(1, "ready\n");
    sleep_forever();
  }
  if (cmd == "grandchild") {  // a grandchild in the same process group
    const pid_t pid = ::fork();
    if (pid == 0) sleep_forever();
    say(1, "grandchild " + std::to_string(pid) + "\n");
    sleep_forever();
  }
  if (cmd == "escape") {  // a grandchild in its own session, off the pipes; then exit
    int ready[2];
    if (::pipe(ready) != 0) return 92;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setsid();
      ::freopen("/dev/null", "w", stdout);
      ::freopen("/dev/null", "w", stderr);
      if (::write(ready[1], "x", 1) != 1) std::_Exit(93);
      sleep_forever();
    }
    char c;
    if (::read(ready[0], &c, 1) != 1) return 94;
    say(1, "escaped " + std::to_string(pid) + "\n");
    return 0;
  }
  if (cmd == "whoami") {  // uid=<n> gid=<n> nnp=<NoNewPrivs of /proc/self/status>
    std::string nnp = "?";
    if (FILE* status = std::fopen("/proc/self/status", "r")) {
      char line[256];
      while (std::fgets(line, sizeof line, status) != nullptr) {
        if (std::strncmp(line, "NoNewPrivs:", 11) == 0) nnp = std::to_string(std::atoi(line + 11));
      }
      std::fclose(status);
    }
    say(1, "uid=" + std::to_string(::getuid()) + " gid=" + std::to_string(::getgid()) +
               " nnp=" + nnp + "\n");
    return 0;
  }
  if (cmd == "stdin") {  // is stdin /dev/null, and at EOF?
    struct stat in, null;
    if (::fstat(0, &in) != 0 || ::stat("/dev/null", &null) != 0) return 95;
    const bool is_null = S_ISCHR(in.st_mode) && in.st_rdev == null.st_rdev;
    char c;
    say(1, std::string(is_null ? "devnull" : "other") + (::read(0, &c, 1) == 0 ? " eof" : ""));
    return 0;
  }
  if (cmd == "spew") {  // <stdout bytes> <stderr bytes>
    say(1, std::string(static_cast<size_t>(arg(2)), 'o'));
    say(2, std::string(static_cast<size_t>(arg(3)), 'e'));
    return 0;
  }
  if (cmd == "pingpong") {  // one write per SIGUSR1: stdout, stderr, stdout
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    ::sigprocmask(SIG_BLOCK, &usr1, nullptr);
    int sig;
    say(1, std::to_string(::getpid()) + "\n");
    ::sigwait(&usr1, &sig);
    say(2, "e1");
    ::sigwait(&usr1, &sig);
    say(1, "o2");
    return 0;
  }
  if (cmd == "alloc") {  // <MiB>
    if (!allocate(arg(2))) {
      say(2, "alloc failed\n");
      return 3;
    }
    return 0;
  }
  if (cmd == "burn-alloc") {  // <CPU ms> <MiB>
    burn_cpu_ms(arg(2));
    return allocate(arg(3)) ? 0 : 3;
  }
  if (cmd == "spin") {
    volatile unsigned long x = 0;
    while (true) x = x + 1;
  }
  if (cmd == "fork") {  // <n>: tries n children at once; exit 4 if any fork failed
    std::vector<pid_t> kids;
    long failed = 0;
    for (long i = 0; i < arg(2); ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) sleep_forever();
      if (pid < 0)
        ++failed;
      else
        kids.push_back(pid);
    }
    for (pid_t k : kids) ::kill(k, SIGKILL);
    for (pid_t k : kids) ::waitpid(k, nullptr, 0);
    say(1, "forked " + std::to_string(kids.size()) + " failed " + std::to_string(failed) + "\n");
    return failed > 0 ? 4 : 0;
  }
  return 64;
}
