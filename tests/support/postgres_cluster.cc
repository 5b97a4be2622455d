#include "support/postgres_cluster.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/eventually.h"
#include "support/loopback_port.h"

namespace gaia::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";
constexpr int kStartAttempts = 5;  // PostgreSQL takes no port 0: another process may take ours
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr const char* kRecord = "cluster";  // in a fixture's directory: port, cluster directory

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
  // Nothing of the parent's output stays open here: ctest waits for a test's output to end.
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
  }
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) ::dup2(null, STDIN_FILENO);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int wait_for(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether the `postgres` user can reach `dir`: every directory above it searchable by others.
// Only matters when the tests run as root (else the server runs as the same user).
bool postgres_can_reach(const std::filesystem::path& dir) {
  if (::getuid() != 0) return true;
  for (std::filesystem::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return false;
    if (p == p.root_path()) break;
  }
  return true;
}

// A new directory for a cluster's files, handed to the `postgres` user; empty on failure.
std::filesystem::path make_cluster_dir(const std::filesystem::path& wanted, std::string& error) {
  std::filesystem::path dir = wanted;
  std::error_code ec;
  if (!dir.empty() && postgres_can_reach(dir)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      error = "cannot make " + dir.string() + ": " + ec.message();
      return {};
    }
  } else {
    std::string pattern = (std::filesystem::temp_directory_path() / "gaia-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      error = "mkdtemp failed";
      return {};
    }
    dir = pattern;
  }
  passwd* pw = ::getpwnam("postgres");
  if ((::getuid() == 0 && (pw == nullptr || ::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0)) ||
      ::chmod(dir.c_str(), 0700) != 0) {
    error = "cannot hand " + dir.string() + " to the postgres user";
    return {};
  }
  return dir;
}

// The postmaster's pid from its lock file in `data`, or -1 when it is not running.
pid_t postmaster_pid(const std::filesystem::path& data) {
  std::ifstream in(data / "postmaster.pid");
  long pid = -1;
  if (!(in >> pid) || pid <= 0) return -1;
  return static_cast<pid_t>(pid);
}

}  // namespace

std::unique_ptr<PostgresCluster> PostgresCluster::create(std::string& error) {
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster(Kind::kChild));
  if (!cluster->init({}, error) || !cluster->start_on_some_port(error)) return nullptr;
  return cluster;
}

std::unique_ptr<PostgresCluster> PostgresCluster::attach(const std::filesystem::path& dir,
                                                         std::string& error) {
  std::ifstream in(dir / kRecord);
  unsigned port = 0;
  std::string cluster_dir;
  if (!(in >> port) || !(in >> cluster_dir) || port == 0 || port > 65535) {
    error = "no cluster recorded in " + dir.string();
    return nullptr;
  }
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster(Kind::kAttached));
  cluster->dir_ = cluster_dir;
  cluster->port_ = static_cast<uint16_t>(port);
  cluster->pid_ = postmaster_pid(cluster->dir_ / "data");
  return cluster;
}

bool PostgresCluster::start_detached(const std::filesystem::path& dir, std::string& error) {
  std::error_code ec;
  if (std::filesystem::exists(dir / kRecord)) stop_detached(dir, error);
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot make " + dir.string() + ": " + ec.message();
    return false;
  }
  PostgresCluster cluster(Kind::kDetached);
  if (!cluster.init(dir / "cluster.d", error) || !cluster.start_on_some_port(error)) return false;
  // Written whole, then renamed: a test never reads half a record.
  const std::filesystem::path partial = dir / (std::string(kRecord) + ".partial");
  {
    std::ofstream out(partial);
    out << cluster.port_ << "\n" << cluster.dir_.string() << "\n";
  }
  std::filesystem::rename(partial, dir / kRecord, ec);
  if (ec) {
    error = "cannot record the cluster in " + dir.string() + ": " + ec.message();
    return false;
  }
  return true;
}

bool PostgresCluster::stop_detached(const std::filesystem::path& dir, std::string& error) {
  std::unique_ptr<PostgresCluster> cluster = attach(dir, error);
  bool stopped = true;
  if (cluster) {
    const std::filesystem::path data = cluster->dir_ / "data";
    // Immediate shutdown: the files go next. Not our child: the server is gone when it has
    // removed its lock file.
    if (pid_t pid = postmaster_pid(data); pid > 0 && ::kill(pid, SIGQUIT) == 0) {
      stopped = eventually([&] { return !std::filesystem::exists(data / "postmaster.pid"); },
                           kStartTimeout, kPoll);
      if (!stopped) {
        ::kill(pid, SIGKILL);
        error = "PostgreSQL in " + cluster->dir_.string() + " did not stop; its log:\n" +
                cluster->log();
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(cluster->dir_, ec);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return stopped;
}

bool PostgresCluster::init(const std::filesystem::path& dir, std::string& error) {
  dir_ = make_cluster_dir(dir, error);
  if (dir_.empty()) return false;
  pid_t pid =
      spawn_as_postgres({std::string(kBin) + "initdb", "-D", (dir_ / "data").string(), "-U",
                         "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                        dir_ / "initdb.log", kind_ == Kind::kChild);
  if (pid < 0 || wait_for(pid) != 0) {
    error = "initdb failed:\n" + read_file(dir_ / "initdb.log");
    return false;
  }
  return true;
}

bool PostgresCluster::start_on_some_port(std::string& error) {
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = refused_port();
    if (start()) return true;
  }
  error = "PostgreSQL did not start; its log:\n" + log();
  return false;
}

PostgresCluster::~PostgresCluster() {
  if (kind_ != Kind::kChild) return;
  stop();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string PostgresCluster::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresCluster::log() const { return read_file(dir_ / "server.log"); }

bool PostgresCluster::start() {
  if (kind_ == Kind::kAttached) {
    ADD_FAILURE() << "the shared cluster serves other tests: start a cluster of your own";
    return false;
  }
  if (pid_ > 0) return true;
  pid_ = spawn_as_postgres(
      {std::string(kBin) + "postgres", "-D", (dir_ / "data").string(), "-p", std::to_string(port_),
       "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c",
       "shared_buffers=32MB", "-c", "max_connections=100", "-c", "fsync=off", "-c",
       "synchronous_commit=off", "-c", "full_page_writes=off"},
      dir_ / "server.log", kind_ == Kind::kChild);
  if (pid_ < 0) return false;
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) +
                               " user=postgres dbname=postgres connect_timeout=2";
  bool exited = false;
  const bool up = eventually(
      [&] {
        if (PQping(conninfo.c_str()) == PQPING_OK) return true;
        exited = exited || ::waitpid(pid_, nullptr, WNOHANG) == pid_;  // e.g. port taken
        return exited;
      },
      kStartTimeout, kPoll);
  if (up && !exited) return true;
  if (!exited) {
    ::kill(pid_, SIGQUIT);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return false;
}

void PostgresCluster::stop() {
  if (kind_ == Kind::kAttached) {
    ADD_FAILURE() << "the shared cluster serves other tests: start a cluster of your own";
    return;
  }
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);  // fast shutdown: disconnect clients, checkpoint, exit
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string PostgresCluster::create_database() {
  const std::string name =
      "gaia_test_" + std::to_string(::getpid()) + "_" + std::to_string(databases_.size() + 1);
  PGconn* conn = PQconnectdb(url("postgres").c_str());
  PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string message = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  EXPECT_TRUE(ok) << message;
  databases_.push_back(name);
  return url(name);
}

void PostgresCluster::drop_databases() {
  if (databases_.empty()) return;
  PGconn* conn = PQconnectdb(url("postgres").c_str());
  for (const std::string& name : databases_) {
    PQclear(PQexec(conn, ("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str()));
  }
  PQfinish(conn);
  databases_.clear();
}

PostgresCluster& shared_postgres() {
  if (!shared()) {
    std::string error;
    if (const char* dir = std::getenv("GAIA_TEST_POSTGRES"); dir != nullptr && *dir != '\0') {
      shared() = PostgresCluster::attach(dir, error);
      if (!shared()) std::fprintf(stderr, "%s: starting a cluster of this run\n", error.c_str());
    }
    if (!shared()) shared() = PostgresCluster::create(error);
    if (!shared()) {
      std::fprintf(stderr, "cannot start PostgreSQL for the tests: %s\n", error.c_str());
      std::abort();  // every PostgreSQL test needs it: stop here, loudly
    }
  }
  return *shared();
}

void PostgresEnvironment::TearDown() {
  if (shared()) shared()->drop_databases();
  shared().reset();
}

}  // namespace gaia::testing
