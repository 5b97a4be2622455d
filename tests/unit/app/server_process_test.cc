// Runs the built gaia_server binary as a user would: start-up lines, /health, SIGTERM.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "raw_http_client.h"

namespace gaia::app {
namespace {

constexpr int kReadTimeoutMs = 10'000;  // bound on each wait for the child's output

// A port that was free a moment ago (the server needs a known port before it prints it).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// gaia_server as a child process with its stdout and stderr on pipes.
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(GAIA_SERVER_PATH)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    if (posix_spawn(&pid_, GAIA_SERVER_PATH, &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
    if (err_ >= 0) ::close(err_);
  }

  bool running() const { return pid_ > 0; }
  void signal(int sig) { ::kill(pid_, sig); }

  // Reads stdout until a line starting with `prefix`; everything read is kept in stdout_.
  std::optional<std::string> read_line_starting(const std::string& prefix) {
    for (;;) {
      std::size_t start = 0, eol;
      while ((eol = stdout_.find('\n', start)) != std::string::npos) {
        std::string line = stdout_.substr(start, eol - start);
        start = eol + 1;
        if (line.starts_with(prefix)) return line;
      }
      if (!read_some(out_, stdout_)) return std::nullopt;
    }
  }

  // Reads both pipes to end of stream (the child exited), then reaps it: its exit code, or
  // -1 if it did not exit normally or took longer than the read timeout.
  int wait_exit() {
    while (read_some(out_, stdout_)) {
    }
    while (read_some(err_, stderr_)) {
    }
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string stdout_, stderr_;

 private:
  static bool read_some(int fd, std::string& into) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kReadTimeoutMs) <= 0) return false;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    into.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
};

class ServerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gaia_server_process_test_" + std::to_string(::getpid()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string db_path() const { return (dir_ / "data" / "gaia.db").string(); }
  std::filesystem::path dir_;
};

TEST_F(ServerProcessTest, StartsServesHealthAndStopsCleanlyOnSigterm) {
  uint16_t port = free_port();
  ServerProcess server({"--port", std::to_string(port), "--threads", "2"},
                       {"DATABASE_URL=sqlite:" + db_path(), "GAIA_BIND=127.0.0.1"});
  ASSERT_TRUE(server.running());
  auto health_line = server.read_line_starting("[INFO] Health:");
  ASSERT_TRUE(health_line) << server.stdout_;
  std::string where = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(*health_line, "[INFO] Health: http://" + where + "/health");
  EXPECT_EQ(server.stdout_,
            "[INIT] Initializing SQLite database...\n"
            "[INIT] ✓ Database connection established\n"
            "[INIT] Initializing Rate Limiting Service...\n"
            "[INIT] ✓ Rate Limiting Service initialized\n"
            "[INFO] Starting HTTP server on " +
                where + "\n" + *health_line + "\n");
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "data"));

  auto res = gaia::testing::http_get(port, "/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto body = boost::json::parse(res->body).as_object();
  EXPECT_EQ(body.at("status"), "ok");
  EXPECT_EQ(body.at("version"), "0.1.0");
  EXPECT_TRUE(body.at("uptime_seconds").is_int64());
  EXPECT_EQ(body.at("store"), (boost::json::object{{"kind", "sqlite"}, {"path", db_path()}}));

  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0) << server.stderr_;
  EXPECT_NE(server.stdout_.find("[INFO] Shutting down\n"), std::string::npos);
}

TEST_F(ServerProcessTest, InvalidSettingExits2NamingIt) {
  ServerProcess server({}, {"PORT=eighty"});
  ASSERT_TRUE(server.running());
  EXPECT_EQ(server.wait_exit(), 2);
  EXPECT_NE(server.stderr_.find("PORT"), std::string::npos) << server.stderr_;
  EXPECT_NE(server.stderr_.find("eighty"), std::string::npos) << server.stderr_;
  EXPECT_EQ(server.stdout_, "");
}

TEST_F(ServerProcessTest, HelpExits0) {
  ServerProcess server({"--help"}, {});
  ASSERT_TRUE(server.running());
  EXPECT_EQ(server.wait_exit(), 0);
  EXPECT_NE(server.stdout_.find("--port"), std::string::npos);
}

}  // namespace
}  // namespace gaia::app
