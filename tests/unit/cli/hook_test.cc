// gaia hook pre-tool-use on real payloads: passing other tools through, reading Gaia's
// answer, and answering the fallback within its deadline when Gaia is down.

#include "cli/hook.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <sstream>

#include "support/loopback_port.h"

namespace gaia::cli {
namespace {

// A socket that accepts connections (the kernel completes them) but never answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

constexpr const char* kBashPayload =
    R"({"session_id":"s-1","transcript_path":"/t","cwd":"/src","hook_event_name":"PreToolUse",
        "tool_name":"Bash","tool_input":{"command":"rm -rf /","description":"x"},
        "tool_use_id":"t1"})";

Url url_of(uint16_t port) {
  return parse_server_url("http://127.0.0.1:" + std::to_string(port)).value();
}

TEST(HookTest, OtherToolsPassThroughSilently) {
  std::istringstream in(R"({"tool_name":"Edit","tool_input":{"file_path":"/x"}})");
  std::ostringstream out, err;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(testing::free_port()), "k", {}), 0);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "");
}

TEST(HookTest, GaiaDownAnswersTheFallbackAsHookJson) {
  std::istringstream in(kBashPayload);
  std::ostringstream out, err;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(testing::free_port()), "k", {}), 0);
  boost::json::value v = boost::json::parse(out.str());
  const auto& o = v.at("hookSpecificOutput");
  EXPECT_EQ(o.at("hookEventName"), "PreToolUse");
  EXPECT_EQ(o.at("permissionDecision"), "ask");
  EXPECT_NE(std::string(o.at("permissionDecisionReason").as_string()).find("fallback"),
            std::string::npos);
}

TEST(HookTest, ASilentGaiaIsGivenUpOnAtTheDeadline) {
  SilentServer silent;
  std::istringstream in(kBashPayload);
  std::ostringstream out, err;
  HookOptions options;
  options.timeout = std::chrono::milliseconds(300);
  options.fallback = "deny";
  options.exit_code_only = true;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(silent.port()), "k", options), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("blocked"), std::string::npos) << err.str();
}

TEST(HookTest, NoKeyIsTheFallbackToo) {
  std::istringstream in(kBashPayload);
  std::ostringstream out, err;
  HookOptions options;
  options.fallback = "allow";
  options.exit_code_only = true;
  EXPECT_EQ(run_pre_tool_use(in, out, err, url_of(testing::free_port()), "", options), 0);
}

TEST(HookTest, GaiaAnswersMapToHookDecisions) {
  EXPECT_EQ(verdict_from_answer(R"({"decision":"approve","reason":"ok"})")->decision, "allow");
  EXPECT_EQ(verdict_from_answer(R"({"decision":"deny","reason":"no"})")->reason, "no");
  EXPECT_EQ(verdict_from_answer(R"({"decision":"ask"})")->decision, "ask");
  EXPECT_FALSE(verdict_from_answer(R"({"decision":"perhaps"})").has_value());
  EXPECT_FALSE(verdict_from_answer("<html>").has_value());
}

}  // namespace
}  // namespace gaia::cli
