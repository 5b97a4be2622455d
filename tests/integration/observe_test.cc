// What an operator watches, through the real gaia_server: liveness that shows nothing private,
// readiness that says when not to send work, the details for admins only; log lines in one
// format (text or JSON) with RFC 3339 times; the access log; /metrics checked by promtool.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

using namespace std::chrono_literals;

const std::string kAdminKey = "observe-integration-admin-key-0123456789";

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ObserveTest : public FakeProcServerTest {
 protected:
  ObserveTest() : FakeProcServerTest(kAdminKey) {}
  void start_on_fake_proc(std::vector<std::string> env = {}) {
    env.push_back("GAIA_PROC_ROOT=" + dir_.path().string());
    start(env);
  }
  RawResponse get(const std::string& path, const std::string& key = "") {
    auto r = http_request(port_, "GET", path, key, "");
    EXPECT_TRUE(r) << path << ": no answer";
    return r ? *r : RawResponse{};
  }
};

TEST_F(ObserveTest, HealthShowsNoPathAndTheDetailsNeedAnAdminKey) {
  start_on_fake_proc();
  const RawResponse health = get("/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body.find(dir_.path().string()), std::string::npos) << health.body;
  EXPECT_EQ(health.body.find("gaia.db"), std::string::npos) << health.body;
  const boost::json::object h = boost::json::parse(health.body).as_object();
  EXPECT_EQ(h.at("status"), "ok");
  EXPECT_EQ(h.size(), 3u) << health.body;  // status, version, uptime_seconds

  EXPECT_EQ(get("/api/admin/health").status, 401);
  const std::string user_key = create_user_key("ann", R"({"name":"ann"})");
  EXPECT_EQ(get("/api/admin/health", user_key).status, 403);
  const RawResponse details = get("/api/admin/health", kAdminKey);
  ASSERT_EQ(details.status, 200) << details.body;
  const boost::json::value d = boost::json::parse(details.body);
  EXPECT_EQ(std::string(d.at("store").at("path").as_string()), db_path());
  EXPECT_EQ(d.at("ready"), true);
  EXPECT_EQ(get("/ready").status, 200);
}

TEST_F(ObserveTest, ReadyAnswers503WhileTheExecutorHasNoSeat) {
  // Memory past 95 %: the throttle's factor is 0 and no command may start.
  set_memory_used_pct(98);
  start_on_fake_proc();
  RawResponse r;
  ASSERT_TRUE(eventually([&] { return (r = get("/ready")).status == 503; }, 15s, 50ms))
      << r.status << " " << r.body;
  EXPECT_EQ(boost::json::parse(r.body),
            (boost::json::object{{"ready", false}, {"reasons", {"executor"}}}));
  EXPECT_FALSE(r.headers["retry-after"].empty());
  EXPECT_EQ(get("/health").status, 200);  // alive all the same
}

TEST_F(ObserveTest, LogLinesBeginWithAnRfc3339TimeAndCanBeJson) {
  start_on_fake_proc({"GAIA_LOG_FORMAT=json"});
  server_->signal(SIGTERM);
  ASSERT_EQ(server_->wait_exit(), 0) << server_->stderr_;
  const std::string out = server_->stdout_;
  std::istringstream lines(out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    const std::string time(v.at("time").as_string());
    EXPECT_EQ(time.size(), 24u) << time;  // 2026-12-06T15:38:22.123Z
    EXPECT_EQ(time.back(), 'Z') << time;
    EXPECT_TRUE(v.at("level").is_string());
    EXPECT_TRUE(v.at("msg").is_string());
    ++n;
  }
  EXPECT_GT(n, 5);
  EXPECT_NE(out.find(R"("tag":"INIT")"), std::string::npos) << out;
}

TEST_F(ObserveTest, TheAccessLogHasOneLinePerRequestWithoutTheQuery) {
  const std::string log = dir_.file("access.log");
  start_on_fake_proc({"GAIA_ACCESS_LOG=" + log});
  const std::string user_key = create_user_key("bo", R"({"name":"bo"})");
  EXPECT_EQ(get("/api/v1/quota?token=query-hunter2", user_key).status, 200);
  EXPECT_EQ(get("/no/such/page").status, 404);
  std::string text;
  ASSERT_TRUE(eventually(
      [&] { return (text = file_text(log)).find("/no/such/page") != std::string::npos; }, 5s, 20ms))
      << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("[ACCESS] 2xx: method=GET path=/api/v1/quota status=200 bytes="),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" user=bo\n"), std::string::npos) << text;
  EXPECT_NE(text.find("method=GET path=/no/such/page status=404"), std::string::npos) << text;
}

TEST_F(ObserveTest, MetricsPassPromtoolAndCoverTheServer) {
  start_on_fake_proc();
  // One confirmation decision, so that its family has a sample.
  auto confirm = http_request(port_, "POST", "/api/claude/confirm/request", kAdminKey,
                              R"({"command":"ls -la"})");
  ASSERT_TRUE(confirm && confirm->status == 200) << (confirm ? confirm->body : "no answer");
  const RawResponse metrics = get("/metrics", kAdminKey);
  ASSERT_EQ(metrics.status, 200);
  for (const char* family :
       {"gaia_build_info{version=", "gaia_exec_running ", "gaia_exec_seats ",
        "gaia_exec_queued{class=\"default\"} ", "gaia_exec_queue_wait_seconds_bucket",
        "gaia_throttle_factor ", "gaia_load_cpu_ratio ", "gaia_load_memory_ratio ",
        "gaia_websocket_clients ", "gaia_alerts{state=\"firing\"} ",
        "gaia_confirm_decisions_total{verdict=", "gaia_http_connections ",
        "process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
        "process_start_time_seconds ", "gaia_exec_draining 0"}) {
    EXPECT_NE(metrics.body.find(family), std::string::npos) << family;
  }
  const CliRun checked = run_program(GAIA_PROMTOOL, {"check", "metrics"}, {}, metrics.body);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  // A warning is printed even when promtool exits 0: none is allowed.
  EXPECT_EQ(checked.out + checked.err, "") << metrics.body;
}

}  // namespace
}  // namespace gaia::testing
