#include "support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/eventually.h"
#include "support/loopback_port.h"

namespace gaia::testing {
namespace {

constexpr const char* kServer = "/usr/bin/redis-server";
constexpr const char* kCli = "/usr/bin/redis-cli";
constexpr int kStartAttempts = 5;  // redis-server takes no port 0: another process may take ours
constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr const char* kRecord = "server";  // in a fixture's directory: port, pid, directory

std::unique_ptr<RedisServer>& shared() {
  static std::unique_ptr<RedisServer> server;
  return server;
}

// Whether something answers RESP on the port: +PONG, or -NOAUTH when a password is required.
bool answers(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::write(fd, "PING\r\n", 6) == 6) {
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ok = n > 0 && (buf[0] == '+' || buf[0] == '-');
  }
  ::close(fd);
  return ok;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::unique_ptr<RedisServer> RedisServer::create(const RedisServerOptions& options,
                                                 std::string& error) {
  std::unique_ptr<RedisServer> server(new RedisServer);
  server->options_ = options;
  std::string pattern = (std::filesystem::temp_directory_path() / "gaia-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    error = "mkdtemp failed";
    return nullptr;
  }
  server->dir_ = pattern;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    server->port_ = refused_port();
    if (server->launch(error)) return server;
  }
  return nullptr;
}

bool RedisServer::launch(std::string& error) {
  std::vector<std::string> argv = {kServer,
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--dir",
                                   dir_.string(),
                                   "--daemonize",
                                   "no",
                                   "--maxmemory-policy",
                                   options_.maxmemory_policy,
                                   "--loglevel",
                                   "warning"};
  if (!options_.password.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(options_.password);
  }
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string log_path = (dir_ / "redis.log").string();
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    error = "fork failed";
    return false;
  }
  if (pid_ == 0) {
    // The child: async-signal-safe calls only. A server of the test's own dies with it.
    if (own_) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
    }
    ::setsid();
    // Nothing of the parent's output stays open: ctest waits for a test's output to end.
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  bool exited = false;
  const bool up = eventually(
      [&] {
        if (answers(port_)) return true;
        exited = exited || ::waitpid(pid_, nullptr, WNOHANG) == pid_;  // e.g. port taken
        return exited;
      },
      kStartTimeout, kPoll);
  if (up && !exited) return true;
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  error = "redis-server did not start; its log:\n" + log();
  return false;
}

bool RedisServer::start_detached(const std::filesystem::path& dir, std::string& error) {
  if (std::filesystem::exists(dir / kRecord)) stop_detached(dir, error);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir / "data", ec);
  if (ec) {
    error = "cannot make " + dir.string() + ": " + ec.message();
    return false;
  }
  RedisServer server;
  server.own_ = false;
  server.dir_ = dir / "data";
  bool up = false;
  for (int attempt = 0; attempt < kStartAttempts && !up; ++attempt) {
    server.port_ = refused_port();
    up = server.launch(error);
  }
  if (!up) return false;
  std::ofstream(dir / kRecord) << server.port_ << "\n" << server.pid_ << "\n";
  return true;
}

bool RedisServer::stop_detached(const std::filesystem::path& dir, std::string& error) {
  std::ifstream in(dir / kRecord);
  long pid = -1;
  unsigned port = 0;
  bool stopped = true;
  if (in >> port >> pid && pid > 0) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    // Not our child: gone once the pid no longer exists (or is a zombie init will reap).
    stopped = eventually([&] { return !answers(static_cast<uint16_t>(port)); },
                         std::chrono::seconds(10), kPoll);
    if (!stopped) error = "redis-server " + std::to_string(pid) + " did not stop";
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return stopped;
}

RedisServer::~RedisServer() {
  if (!own_) return;
  kill();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url(int database) const {
  std::string out = "redis://";
  if (!options_.password.empty()) out += ":" + options_.password + "@";
  out += "127.0.0.1:" + std::to_string(port_);
  if (database != 0) out += "/" + std::to_string(database);
  return out;
}

void RedisServer::pause() {
  ASSERT_TRUE(own_) << "the shared server serves other tests: start one of your own";
  ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  ASSERT_TRUE(own_) << "the shared server serves other tests: start one of your own";
  ::kill(pid_, SIGCONT);
}

void RedisServer::kill() {
  if (!own_) {
    ADD_FAILURE() << "the shared server serves other tests: start one of your own";
    return;
  }
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool RedisServer::restart() {
  if (!own_) {
    ADD_FAILURE() << "the shared server serves other tests: start one of your own";
    return false;
  }
  kill();
  std::string error;
  if (launch(error)) return true;
  ADD_FAILURE() << error;
  return false;
}

std::string RedisServer::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {kCli, "-h", "127.0.0.1", "-p", std::to_string(port_)};
  if (!options_.password.empty()) {
    argv.insert(argv.end(), {"-a", options_.password, "--no-auth-warning"});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargs;
  for (std::string& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::execv(cargs[0], cargs.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, n);
  ::close(out[0]);
  ::waitpid(pid, nullptr, 0);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string RedisServer::log() const { return read_file(dir_ / "redis.log"); }

RedisServer& shared_redis() {
  if (!shared()) {
    if (const char* dir = std::getenv("GAIA_TEST_REDIS"); dir != nullptr && *dir != '\0') {
      std::ifstream in(std::filesystem::path(dir) / kRecord);
      unsigned port = 0;
      long pid = -1;
      if (in >> port >> pid && port > 0 && port <= 65535) {
        shared().reset(new RedisServer);
        shared()->own_ = false;
        shared()->port_ = static_cast<uint16_t>(port);
        shared()->pid_ = static_cast<pid_t>(pid);
      }
    }
    std::string error;
    if (!shared()) shared() = RedisServer::create({}, error);
    if (!shared()) {
      std::fprintf(stderr, "cannot start redis-server for the tests: %s\n", error.c_str());
      std::abort();  // every Redis test needs it: stop here, loudly
    }
  }
  return *shared();
}

}  // namespace gaia::testing
