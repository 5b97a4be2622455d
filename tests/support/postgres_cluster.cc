#include "support/postgres_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "support/loopback_port.h"

namespace gaia::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";
constexpr int kStartAttempts = 5;  // another process may take the port we picked
constexpr auto kStartTimeout = std::chrono::seconds(60);

std::unique_ptr<PostgresCluster>& shared() {
  static std::unique_ptr<PostgresCluster> cluster;
  return cluster;
}

// Forks a child that becomes the `postgres` user, sends its output to `log`, and runs
// `argv`. With `die_with_parent`, the child is killed (SIGQUIT: PostgreSQL's immediate
// shutdown) when this process dies.
pid_t spawn_as_postgres(const std::vector<std::string>& argv, const std::filesystem::path& log,
                        bool die_with_parent) {
  passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr && ::getuid() == 0) return -1;
  const uid_t uid = pw ? pw->pw_uid : ::getuid();
  const gid_t gid = pw ? pw->pw_gid : ::getgid();
  const pid_t parent = ::getpid();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  // The child: only async-signal-safe calls from here on. PostgreSQL refuses to run as
  // root; any other user runs it as itself.
  if (::getuid() == 0 && (::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
  // After setuid: a change of credentials clears the parent-death signal.
  if (die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (::getppid() != parent) ::_exit(1);
  }
  ::setsid();  // a terminal's Ctrl-C goes to the test, not straight to the server
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
  }
  ::execv(args[0], args.data());
  ::_exit(127);
}

int wait_for(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::unique_ptr<PostgresCluster> PostgresCluster::create(std::string& error) {
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster());
  if (!cluster->init(error)) return nullptr;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    cluster->port_ = free_port();
    if (cluster->start()) return cluster;
  }
  error = "PostgreSQL did not start; its log:\n" + cluster->log();
  return nullptr;
}

bool PostgresCluster::init(std::string& error) {
  std::string pattern = (std::filesystem::temp_directory_path() / "gaia-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    error = "mkdtemp failed";
    return false;
  }
  dir_ = pattern;
  passwd* pw = ::getpwnam("postgres");
  if (::getuid() == 0 && (pw == nullptr || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)) {
    error = "cannot hand " + dir_.string() + " to the postgres user";
    return false;
  }
  if (::chmod(dir_.c_str(), 0700) != 0) {
    error = "cannot hand " + dir_.string() + " to the postgres user";
    return false;
  }
  pid_t pid =
      spawn_as_postgres({std::string(kBin) + "initdb", "-D", (dir_ / "data").string(), "-U",
                         "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                        dir_ / "initdb.log", true);
  if (pid < 0 || wait_for(pid) != 0) {
    std::ifstream in(dir_ / "initdb.log");
    std::stringstream text;
    text << in.rdbuf();
    error = "initdb failed:\n" + text.str();
    return false;
  }
  return true;
}

PostgresCluster::~PostgresCluster() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string PostgresCluster::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresCluster::log() const {
  std::ifstream in(dir_ / "server.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool PostgresCluster::start() {
  if (pid_ > 0) return true;
  pid_ = spawn_as_postgres(
      {std::string(kBin) + "postgres", "-D", (dir_ / "data").string(), "-p", std::to_string(port_),
       "-k", dir_.string(), "-c", "listen_addresses=127.0.0.1", "-c", "shared_buffers=32MB", "-c",
       "max_connections=50"},
      dir_ / "server.log", true);
  if (pid_ < 0) return false;
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) +
                               " user=postgres dbname=postgres "
                               "connect_timeout=2";
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) break;  // it gave up (e.g. port taken)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGQUIT);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return false;
}

void PostgresCluster::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);  // fast shutdown: disconnect clients, checkpoint, exit
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string PostgresCluster::create_database() {
  const std::string name = "gaia_test_" + std::to_string(++databases_);
  PGconn* conn = PQconnectdb(url("postgres").c_str());
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string message = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  EXPECT_TRUE(ok) << message;
  return url(name);
}

PostgresCluster& shared_postgres() {
  if (!shared()) {
    std::string error;
    shared() = PostgresCluster::create(error);
    if (!shared()) {
      std::fprintf(stderr, "cannot start PostgreSQL for the tests: %s\n", error.c_str());
      std::abort();  // every PostgreSQL test needs it: stop here, loudly
    }
  }
  return *shared();
}

void PostgresEnvironment::TearDown() { shared().reset(); }

}  // namespace gaia::testing
