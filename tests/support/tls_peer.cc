#include "support/tls_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "support/cli_run.h"

extern char** environ;

namespace gaia::testing {
namespace {

constexpr int kStartTimeoutMs = 20'000;

}  // namespace

TlsPeer::TlsPeer(uint16_t upstream_port) {
  const CliRun made =
      run_program("/usr/bin/openssl",
                  {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                   "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                   "-keyout", dir_.file("key.pem"), "-out", ca_file()},
                  {});
  if (made.exit_code != 0) return;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  const std::string script = std::string(GAIA_TEST_SUPPORT_DIR) + "/tls_peer.py";
  const std::string key = dir_.file("key.pem"), cert = ca_file(),
                    port = std::to_string(upstream_port);
  std::vector<char*> argv{const_cast<char*>("/usr/bin/python3"), const_cast<char*>(script.c_str()),
                          const_cast<char*>(cert.c_str()),       const_cast<char*>(key.c_str()),
                          const_cast<char*>(port.c_str()),       nullptr};
  const int spawned =
      posix_spawn(&pid_, "/usr/bin/python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) {
    pid_ = -1;
    ::close(out[0]);
    return;
  }
  // The first line says the port: "port N".
  std::string line;
  pollfd fd{out[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos && ::poll(&fd, 1, kStartTimeoutMs) > 0) {
    char buf[64];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  if (line.starts_with("port ")) port_ = static_cast<uint16_t>(std::stoi(line.substr(5)));
}

TlsPeer::~TlsPeer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string TlsPeer::url(const std::string& path) const {
  return "https://localhost:" + std::to_string(port_) + path;
}

}  // namespace gaia::testing
