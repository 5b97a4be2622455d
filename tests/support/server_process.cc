#include "support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace gaia::testing {

std::string idle_proc_root(const TempDir& dir) {
  std::filesystem::create_directories(dir.path() / "proc" / "proc");
  std::ofstream(dir.path() / "proc" / "proc" / "stat") << "cpu  100 0 100 10000 0 0 0 0 0 0\n";
  std::ofstream(dir.path() / "proc" / "proc" / "meminfo")
      << "MemTotal: 16000000 kB\nMemAvailable: 15000000 kB\n";
  return (dir.path() / "proc").string();
}

void add_idle_proc_root(std::vector<std::string>& env, const TempDir& dir) {
  for (const std::string& entry : env) {
    if (entry.starts_with("GAIA_PROC_ROOT=")) return;
  }
  env.push_back("GAIA_PROC_ROOT=" + idle_proc_root(dir));
}

namespace {

constexpr int kReadTimeoutMs = 10'000;  // bound on each wait for the child's output

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& args,
                             const std::vector<std::string>& env) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
  std::vector<char*> argv{const_cast<char*>(GAIA_SERVER_PATH)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    // A test that crashes must not leave servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::execve(GAIA_SERVER_PATH, argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  out_ = out[0];
  err_ = err[0];
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) ::close(out_);
  if (err_ >= 0) ::close(err_);
}

void ServerProcess::signal(int sig) { ::kill(pid_, sig); }

std::string log_message(const std::string& line) {
  // GAIA_LOG_FORMAT=json: {"time":...,"tag":"INFO","msg":"..."} is "[INFO] ...".
  if (line.starts_with("{\"time\":")) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    const boost::json::object* o = ec ? nullptr : v.if_object();
    if (o != nullptr && o->contains("tag") && o->contains("msg")) {
      return "[" + std::string(o->at("tag").as_string()) + "] " +
             std::string(o->at("msg").as_string());
    }
  }
  // RFC 3339: "YYYY-MM-DDThh:mm:ss.sssZ ".
  const bool timed = line.size() > 20 && line[4] == '-' && line[7] == '-' && line[10] == 'T';
  const std::size_t space = line.find(' ');
  return timed && space != std::string::npos ? line.substr(space + 1) : line;
}

std::optional<std::string> ServerProcess::read_line_starting(const std::string& prefix) {
  for (;;) {
    std::size_t start = 0, eol;
    while ((eol = stdout_.find('\n', start)) != std::string::npos) {
      std::string line = log_message(stdout_.substr(start, eol - start));
      start = eol + 1;
      if (line.starts_with(prefix)) return line;
    }
    if (!read_some(out_, stdout_)) return std::nullopt;
  }
}

std::optional<uint16_t> ServerProcess::read_port() {
  std::optional<std::string> line = read_line_starting("[INFO] Starting HTTP server on ");
  if (!line) return std::nullopt;
  const std::size_t colon = line->rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  unsigned port = 0;
  const char* first = line->data() + colon + 1;
  const char* last = line->data() + line->size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

int ServerProcess::wait_exit() {
  while (read_some(out_, stdout_)) {
  }
  while (read_some(err_, stderr_)) {
  }
  int status = 0;
  if (::waitpid(pid_, &status, 0) != pid_) return -1;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool ServerProcess::read_some(int fd, std::string& into) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, kReadTimeoutMs) <= 0) return false;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n <= 0) return false;
  into.append(buf, static_cast<std::size_t>(n));
  return true;
}

}  // namespace gaia::testing
