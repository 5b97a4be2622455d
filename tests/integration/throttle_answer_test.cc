// What POST /api/v1/check tells a caller beyond admitted or refused, through the real
// gaia_server reading a fake /proc: the load throttle at every band (factor, delay and why),
// 503 at factor 0 (refuse or wait) without consuming the quota, enterprise callers exempt, the
// throttle on GET /api/v1/quota, the real gaia CLI waiting the delay; and quota warnings, each
// threshold once per period, never on a refusal, in the answer and on the live feed.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_run.h"
#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"
#include "support/ws_client.h"

namespace gaia::testing {
namespace {

using namespace std::chrono_literals;

const std::string kAdminKey = "throttle-answer-admin-key-0123456789ab";

class ThrottleAnswerTest : public FakeProcServerTest {
 protected:
  ThrottleAnswerTest() : FakeProcServerTest(kAdminKey) {}
  // Starts on the fake /proc, waits until the throttle follows its memory figure, and makes
  // user_key_ a default-tier user's key (the admin's user is enterprise: exempt).
  void start_at(double factor, std::vector<std::string> extra_env = {}) {
    extra_env.insert(extra_env.begin(), "GAIA_PROC_ROOT=" + dir_.path().string());
    GaiaServerTest::start(extra_env);
    ASSERT_TRUE(eventually(
        [&] {
          auto r = http_request(port_, "GET", "/api/admin/health", kAdminKey, "");
          return r && r->status == 200 &&
                 boost::json::parse(r->body).at("executor").at("throttle_factor") == factor;
        },
        10s, 50ms))
        << "the throttle factor reaches " << factor;
    if (user_key_.empty()) user_key_ = create_user_key("dan", R"({"name":"dan"})");
  }
  std::string user_key_;
  struct Answer {
    int status = 0;
    boost::json::object body;
    std::map<std::string, std::string> headers;
  };
  Answer call(const std::string& method, const std::string& path, const std::string& key,
              const std::string& body = {}) {
    auto r = http_request(port_, method, path, key, body);
    if (!r) return {};
    Answer a{r->status, {}, r->headers};
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r->body, ec);
    if (!ec && v.is_object()) a.body = v.get_object();
    return a;
  }
  Answer check_answer(const std::string& key, const std::string& type = "shell") {
    return call("POST", "/api/v1/check", key, R"({"type":")" + type + R"("})");
  }
  // The check's answer once the throttle it carries has `factor` (the chore feeds it).
  Answer throttled_check(const std::string& key, double factor) {
    Answer a;
    EXPECT_TRUE(eventually(
        [&] {
          a = check_answer(key);
          const boost::json::value* t = a.body.if_contains("throttle");
          return t != nullptr && t->at("factor") == factor;
        },
        5s, 50ms))
        << boost::json::serialize(a.body);
    return a;
  }
  CliRun gaia(const std::vector<std::string>& args, const std::string& key,
              const std::string& input = "") {
    return run_program(GAIA_CLI_PATH, args,
                       {"GAIA_URL=http://127.0.0.1:" + std::to_string(port_), "GAIA_KEY=" + key},
                       input);
  }
  // The agent hook's JSON answer for a Bash `command`.
  boost::json::object hook(const std::string& key, const std::string& command) {
    const std::string payload =
        boost::json::serialize(boost::json::object{{"session_id", "s-1"},
                                                   {"cwd", "/work"},
                                                   {"hook_event_name", "PreToolUse"},
                                                   {"tool_name", "Bash"},
                                                   {"tool_input", {{"command", command}}}});
    CliRun run = gaia({"hook", "pre-tool-use"}, key, payload);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(run.out, ec);
    EXPECT_FALSE(ec) << run.out;
    return v.is_object() ? v.get_object() : boost::json::object{};
  }
  // The hook's answer for `git status` on a server under memory at 92 % (factor 0.3) whose
  // throttle delay is `delay_ms`, and how long the hook took to give it.
  struct HookUnderLoad {
    std::string decision;
    std::string reason;
    std::chrono::steady_clock::duration took;
  };
  HookUnderLoad hook_under_load(int delay_ms) {
    set_memory_used_pct(92);
    start_at(0.3, {"GAIA_THROTTLE_DELAY_MS=" + std::to_string(delay_ms)});
    throttled_check(user_key_, 0.3);
    const auto before = std::chrono::steady_clock::now();
    boost::json::object out = hook(user_key_, "git status");
    HookUnderLoad h;
    h.took = std::chrono::steady_clock::now() - before;
    const boost::json::value& d = out["hookSpecificOutput"];
    auto text = [&](const char* name) {
      const boost::json::value* v = d.is_object() ? d.as_object().if_contains(name) : nullptr;
      return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    h.decision = text("permissionDecision");
    h.reason = text("permissionDecisionReason");
    return h;
  }
  int64_t shell_day_used(const std::string& key) {
    Answer q = call("GET", "/api/v1/quota", key);
    for (const boost::json::value& l : q.body.at("quotas").as_array()) {
      if (l.at("type") == "shell" && l.at("kind") == "calendar" && l.at("period") == "day") {
        return l.at("used").to_number<int64_t>();
      }
    }
    return -1;
  }
};

TEST_F(ThrottleAnswerTest, AnUnloadedMachineAddsNoThrottleToTheAnswer) {
  start_at(1.0);
  Answer a = check_answer(user_key_);
  EXPECT_EQ(a.status, 200);
  EXPECT_FALSE(a.body.contains("throttle")) << boost::json::serialize(a.body);
  EXPECT_FALSE(call("GET", "/api/v1/quota", user_key_).body.contains("throttle"));
}

TEST_F(ThrottleAnswerTest, EachBandCarriesItsFactorDelayAndWhy) {
  struct Band {
    int mem_pct;
    double factor;
    int64_t delay_ms;
  };
  for (const Band& band : {Band{75, 0.8, 200}, Band{85, 0.6, 400}, Band{92, 0.3, 700}}) {
    SCOPED_TRACE("memory at " + std::to_string(band.mem_pct) + " %");
    set_memory_used_pct(band.mem_pct);
    start_at(band.factor);
    Answer a = throttled_check(user_key_, band.factor);
    EXPECT_EQ(a.status, 200);
    const boost::json::value& t = a.body.at("throttle");
    EXPECT_EQ(t.at("action"), "delay");
    EXPECT_EQ(t.at("delay_ms"), band.delay_ms) << "1 s x (1 - factor)";
    EXPECT_EQ(t.at("limited_by"), boost::json::array({"memory"}));
    EXPECT_EQ(t.at("why").at("memory").at("pct"), static_cast<double>(band.mem_pct));
    EXPECT_EQ(t.at("why").at("memory").at("factor"), band.factor);
    EXPECT_EQ(t.at("why").at("cpu").at("factor"), 1.0);
    // The quota endpoint shows the throttle the caller is under.
    EXPECT_EQ(call("GET", "/api/v1/quota", user_key_).body.at("throttle").at("delay_ms"),
              band.delay_ms);
    stop();
  }
}

// The CPU's band, with the pressure the kernel reports: /proc/stat moves 92 busy ticks to 8
// idle ones between any two samples, so the sampler reads 92 % busy.
TEST_F(ThrottleAnswerTest, ALoadedCpuCarriesItsBandAndThePressureFigures) {
  std::filesystem::create_directories(dir_.path() / "proc" / "pressure");
  write_file("proc/pressure/cpu",
             "some avg10=12.50 avg60=8.00 avg300=2.00 total=100\n"
             "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  write_file("proc/pressure/memory",
             "some avg10=3.25 avg60=1.00 avg300=0.50 total=100\n"
             "full avg10=1.00 avg60=0.50 avg300=0.10 total=50\n");
  std::atomic<bool> done{false};
  std::thread ticks([&] {
    for (uint64_t n = 1; !done; ++n) {
      write_file("proc/stat", "cpu  " + std::to_string(92 * n) + " 0 0 " + std::to_string(8 * n) +
                                  " 0 0 0 0 0 0\n");
      std::this_thread::sleep_for(20ms);
    }
  });
  start_at(0.3);
  Answer a = throttled_check(user_key_, 0.3);
  done = true;
  ticks.join();
  EXPECT_EQ(a.status, 200);
  const boost::json::value& t = a.body.at("throttle");
  EXPECT_EQ(t.at("delay_ms"), 700);
  EXPECT_EQ(t.at("limited_by"), boost::json::array({"cpu"}));
  EXPECT_EQ(t.at("why").at("cpu").at("pct"), 92.0);
  EXPECT_EQ(t.at("why").at("cpu").at("factor"), 0.3);
  EXPECT_EQ(t.at("why").at("memory").at("factor"), 1.0);
  EXPECT_EQ(t.at("why").at("pressure").at("cpu"), 12.5);
  EXPECT_EQ(t.at("why").at("pressure").at("memory"), 3.3);  // to one decimal
}

TEST_F(ThrottleAnswerTest, TheDelayFollowsTheConfiguredBase) {
  set_memory_used_pct(92);
  start_at(0.3, {"GAIA_THROTTLE_DELAY_MS=2000"});
  EXPECT_EQ(throttled_check(user_key_, 0.3).body.at("throttle").at("delay_ms"), 1400);
}

TEST_F(ThrottleAnswerTest, EnterpriseCallersAreNotDelayed) {
  set_memory_used_pct(92);
  start_at(0.3);
  const std::string boss = create_user_key("boss", R"({"name":"boss","tier":"enterprise"})");
  throttled_check(user_key_, 0.3);  // the factor has reached the check
  Answer a = check_answer(boss);
  EXPECT_EQ(a.status, 200);
  EXPECT_FALSE(a.body.contains("throttle")) << boost::json::serialize(a.body);
  // The dashboard's user view shows the throttle each user is under.
  EXPECT_FALSE(call("GET", "/api/admin/users/boss", kAdminKey).body.contains("throttle"));
  Answer dan = call("GET", "/api/admin/users/dan", kAdminKey);
  ASSERT_TRUE(dan.body.contains("throttle")) << boost::json::serialize(dan.body);
  EXPECT_EQ(dan.body.at("throttle").at("delay_ms"), 700);
}

TEST_F(ThrottleAnswerTest, AtFactorZeroARefusingServerAnswers503AndConsumesNothing) {
  set_memory_used_pct(98);
  start_at(0.0, {"GAIA_THROTTLE_STOP=refuse"});
  const std::string ann = create_user_key("ann", R"({"name":"ann"})");
  Answer a;
  ASSERT_TRUE(eventually([&] { return (a = check_answer(ann)).status == 503; }, 5s, 50ms));
  EXPECT_EQ(a.body.at("error"), "overloaded");
  EXPECT_EQ(a.body.at("throttle").at("action"), "refuse");
  EXPECT_EQ(a.body.at("throttle").at("factor"), 0.0);
  EXPECT_NE(a.body.at("message").as_string().find("memory at 98 %"), std::string::npos)
      << a.body.at("message");
  EXPECT_EQ(a.headers["retry-after"], "5");
  EXPECT_EQ(shell_day_used(ann), 0) << "a refusal for load takes nothing from the quota";
}

TEST_F(ThrottleAnswerTest, AtFactorZeroAWaitingServerTellsTheCallerToWaitAndConsumesNothing) {
  set_memory_used_pct(98);
  start_at(0.0, {"GAIA_QUEUE_MAX_WAIT_S=20"});
  const std::string ann = create_user_key("ann", R"({"name":"ann"})");
  Answer a;
  ASSERT_TRUE(eventually([&] { return (a = check_answer(ann)).status == 503; }, 5s, 50ms));
  EXPECT_EQ(a.body.at("error"), "wait");
  EXPECT_EQ(a.body.at("allowed"), false);
  const boost::json::value& t = a.body.at("throttle");
  EXPECT_EQ(t.at("action"), "wait");
  EXPECT_EQ(t.at("wait_ms"), 1000);
  EXPECT_EQ(t.at("max_wait_ms"), 20000);
  EXPECT_EQ(a.headers["retry-after"], "1");
  EXPECT_EQ(shell_day_used(ann), 0) << "nothing is consumed until the caller is admitted";
  EXPECT_EQ(call("GET", "/api/v1/quota", ann).body.at("throttle").at("action"), "wait");
}

// Whether gaia waited is seen from outside: it cannot return before the delay has passed.
TEST_F(ThrottleAnswerTest, GaiaCheckWaitsTheDelayAndSaysSo) {
  set_memory_used_pct(92);
  start_at(0.3, {"GAIA_THROTTLE_DELAY_MS=1000"});
  throttled_check(user_key_, 0.3);
  const auto before = std::chrono::steady_clock::now();
  CliRun run = gaia({"check", "shell"}, user_key_);
  EXPECT_GE(std::chrono::steady_clock::now() - before, 700ms) << "gaia check returned early";
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("allowed: shell"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("the machine is under load (memory at 92 %, factor 0.3): waiting 700 ms"
                         " before running"),
            std::string::npos)
      << run.err;
}

// gaia exec has the server run the command: the server waits the delay, and gaia says so.
TEST_F(ThrottleAnswerTest, GaiaExecSaysTheServerWaitsTheDelay) {
  set_memory_used_pct(92);
  start_at(0.3);
  CliRun run = gaia({"exec", "--type", "shell", "--", "true"}, user_key_);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("gaia: the machine is under load (factor 0.3): the server waits 700 ms"
                         " before running"),
            std::string::npos)
      << run.err;
}

TEST_F(ThrottleAnswerTest, GaiaCheckAsksAgainWhileHeldAndGivesUpAfterTheMaximumWait) {
  set_memory_used_pct(98);
  start_at(0.0, {"GAIA_THROTTLE_DELAY_MS=200", "GAIA_QUEUE_MAX_WAIT_S=1"});
  CliRun run = gaia({"check", "shell"}, kAdminKey);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("waiting 200 ms to ask again"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("gave up waiting for the load to fall"), std::string::npos) << run.err;
}

TEST_F(ThrottleAnswerTest, GaiaCheckRefusedForLoadExitsRefused) {
  set_memory_used_pct(98);
  start_at(0.0, {"GAIA_THROTTLE_STOP=refuse"});
  CliRun run = gaia({"check", "shell"}, kAdminKey);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("overloaded (memory at 98 %)"), std::string::npos) << run.err;
}

TEST_F(ThrottleAnswerTest, TheAgentHookWaitsTheDelayAndSaysSo) {
  const HookUnderLoad h = hook_under_load(100);
  EXPECT_GE(h.took, 70ms) << "the hook answered early";
  EXPECT_EQ(h.decision, "allow") << h.reason;
  EXPECT_NE(h.reason.find("the machine is under load (memory at 92 %, factor 0.3), waited 70 ms"),
            std::string::npos)
      << h.reason;
}

// A delay longer than the hook may wait would outlive the agent's hook timeout, and the agent
// would run the command ungated: the hook denies at once, naming the wait.
TEST_F(ThrottleAnswerTest, TheAgentHookDeniesADelayLongerThanItMayWait) {
  const HookUnderLoad h = hook_under_load(600000);
  EXPECT_LT(h.took, 5s) << "the hook waited";
  EXPECT_EQ(h.decision, "deny") << h.reason;
  EXPECT_NE(h.reason.find("the machine is under load (memory at 92 %, factor 0.3): the command "
                          "must wait 420000 ms, longer than the hook may wait (5000 ms); retry "
                          "after 420 s"),
            std::string::npos)
      << h.reason;
}

TEST_F(ThrottleAnswerTest, TheAgentHookDeniesWhileTheMachineIsOverloaded) {
  set_memory_used_pct(98);
  start_at(0.0, {"GAIA_THROTTLE_STOP=refuse"});
  boost::json::object out = hook(kAdminKey, "git status");
  const boost::json::value& decision = out["hookSpecificOutput"];
  EXPECT_EQ(decision.at("permissionDecision"), "deny") << boost::json::serialize(out);
  EXPECT_NE(decision.at("permissionDecisionReason").as_string().find("overloaded"),
            std::string::npos);
}

// --- Warnings ----------------------------------------------------------------------------

class QuotaWarningTest : public ThrottleAnswerTest {
 protected:
  // A user whose key has 10 shell commands a day.
  std::string ten_a_day(const std::string& name) {
    return create_user_key(
        name, R"({"name":")" + name + R"("})",
        R"({"limits":[{"kind":"calendar","period":"day","amount":10,"type":"shell"}]})");
  }
  // The warning thresholds the next `n` checks carry, 0 for none; -1 for a refusal.
  std::vector<int> thresholds_of(const std::string& key, int n, const std::string& type = "shell") {
    std::vector<int> out;
    for (int i = 0; i < n; ++i) {
      Answer a = check_answer(key, type);
      if (a.status != 200) {
        EXPECT_FALSE(a.body.contains("warnings")) << "never on a refusal";
        out.push_back(-1);
        continue;
      }
      const boost::json::value* w = a.body.if_contains("warnings");
      out.push_back(w == nullptr ? 0 : w->at(0).at("threshold_pct").to_number<int>());
    }
    return out;
  }
};

TEST_F(QuotaWarningTest, EachThresholdWarnsOnceAPeriodAndARefusalNever) {
  start_at(1.0);
  const std::string ann = ten_a_day("ann");
  WsClient feed;
  ASSERT_TRUE(feed.connect(port_, {{"Authorization", "Bearer " + kAdminKey}}));
  ASSERT_TRUE(feed.read());  // hello

  EXPECT_EQ(thresholds_of(ann, 12), (std::vector<int>{0, 0, 0, 0, 0, 0, 0, 80, 0, 95, -1, -1}));

  // The eighth admission's warning, as the answer carries it.
  const std::string gaia_key = ten_a_day("bob");
  Answer w;
  for (int i = 0; i < 8; ++i) w = check_answer(gaia_key);
  const boost::json::value& warning = w.body.at("warnings").at(0);
  EXPECT_EQ(warning.at("threshold_pct"), 80);
  EXPECT_EQ(warning.at("used"), 8);
  EXPECT_EQ(warning.at("limit"), 10);
  EXPECT_EQ(warning.at("used_pct"), 80.0);
  EXPECT_EQ(warning.at("period"), "day");
  EXPECT_GT(warning.at("reset_ms").to_number<int64_t>(), 0);

  // The live feed: ann's two warnings, then her first refusal; bob's one.
  std::vector<std::string> seen;
  for (int i = 0; i < 50 && seen.size() < 4; ++i) {
    auto m = feed.read();
    ASSERT_TRUE(m) << "the feed ended";
    const std::string type(m->at("type").as_string());
    if (type == "quota_warning") {
      seen.push_back(std::string(m->at("data").at("user").as_string()) + " " +
                     std::to_string(m->at("data").at("threshold_pct").to_number<int>()));
    } else if (type == "violation" && seen.size() == 2) {
      seen.push_back("violation");
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ann 80", "ann 95", "violation", "bob 80"}));
}

// A quota that is not the one nearest its end still warns: with a concurrency limit of 2,
// that limit is nearest its end at every check until the day's quota has one left.
TEST_F(QuotaWarningTest, EveryQuotaWarnsNotOnlyTheOneNearestItsEnd) {
  start_at(1.0);
  const std::string ann =
      create_user_key("ann", R"({"name":"ann"})",
                      R"({"limits":[{"kind":"calendar","period":"day","amount":10,"type":"shell"},)"
                      R"({"kind":"calendar","period":"month","amount":12,"type":"shell"},)"
                      R"({"kind":"concurrency","amount":2,"type":"shell"}]})");
  WsClient feed;
  ASSERT_TRUE(feed.connect(port_, {{"Authorization", "Bearer " + kAdminKey}}));
  ASSERT_TRUE(feed.read());       // hello
  std::vector<std::string> told;  // "<check> <period> <threshold>"
  for (int i = 1; i <= 10; ++i) {
    Answer a = check_answer(ann);
    ASSERT_EQ(a.status, 200) << boost::json::serialize(a.body);
    if (const boost::json::value* w = a.body.if_contains("warnings")) {
      for (const boost::json::value& one : w->as_array()) {
        told.push_back(std::to_string(i) + " " + std::string(one.at("period").as_string()) + " " +
                       std::to_string(one.at("threshold_pct").to_number<int>()));
      }
    }
  }
  EXPECT_EQ(told, (std::vector<std::string>{"8 day 80", "10 day 95", "10 month 80"}));
  std::vector<std::string> published;
  for (int i = 0; i < 50 && published.size() < 3; ++i) {
    auto m = feed.read();
    ASSERT_TRUE(m) << "the feed ended";
    if (m->at("type") != "quota_warning") continue;
    published.push_back(std::string(m->at("data").at("period").as_string()) + " " +
                        std::to_string(m->at("data").at("threshold_pct").to_number<int>()));
  }
  EXPECT_EQ(published, (std::vector<std::string>{"day 80", "day 95", "month 80"}));
}

TEST_F(QuotaWarningTest, TheAgentHookHandsAWarningToTheAgentToShowItsUser) {
  start_at(1.0);
  const std::string ann = ten_a_day("ann");
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(hook(ann, "git status").contains("systemMessage"));
  boost::json::object eighth = hook(ann, "git status");
  EXPECT_EQ(eighth["hookSpecificOutput"].at("permissionDecision"), "allow");
  ASSERT_TRUE(eighth.contains("systemMessage")) << boost::json::serialize(eighth);
  EXPECT_NE(
      eighth["systemMessage"].as_string().find("quota key-shell-day of shell at 80 % (8 of 10"),
      std::string::npos)
      << eighth["systemMessage"];
  hook(ann, "git status");
  hook(ann, "git status");
  boost::json::object refused = hook(ann, "git status");
  EXPECT_EQ(refused["hookSpecificOutput"].at("permissionDecision"), "deny");
  EXPECT_NE(
      refused["hookSpecificOutput"].at("permissionDecisionReason").as_string().find("shell-day"),
      std::string::npos)
      << boost::json::serialize(refused);
}

TEST_F(QuotaWarningTest, GaiaCheckPrintsAWarningOnStderr) {
  start_at(1.0);
  const std::string ann = ten_a_day("ann");
  for (int i = 0; i < 7; ++i) EXPECT_EQ(gaia({"check", "shell"}, ann).err, "");
  CliRun eighth = gaia({"check", "shell"}, ann);
  EXPECT_EQ(eighth.exit_code, 0);
  EXPECT_NE(eighth.err.find("gaia: warning: quota key-shell-day of shell at 80 % (8 of 10 used), "
                            "resets in "),
            std::string::npos)
      << eighth.err;
}

// A command Gaia runs itself counts against the same quota, and the admission that crosses a
// threshold warns: in the exec stream, on gaia exec's stderr, and once on the live feed.
TEST_F(QuotaWarningTest, ACommandGaiaRunsWarnsInItsStreamOnStderrAndOnTheFeedOnce) {
  start_at(1.0);
  const std::string ann = ten_a_day("ann");
  WsClient feed;
  ASSERT_TRUE(feed.connect(port_, {{"Authorization", "Bearer " + kAdminKey}}));
  ASSERT_TRUE(feed.read());  // hello

  for (int i = 0; i < 7; ++i) {
    CliRun quiet = gaia({"exec", "--type", "shell", "--", "true"}, ann);
    EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_EQ(quiet.err.find("warning"), std::string::npos) << quiet.err;
  }
  CliRun eighth = gaia({"exec", "--type", "shell", "--", "true"}, ann);
  EXPECT_EQ(eighth.exit_code, 0) << eighth.err;
  EXPECT_NE(eighth.err.find("gaia: warning: quota key-shell-day of shell at 80 % (8 of 10 used), "
                            "resets in "),
            std::string::npos)
      << eighth.err;

  // The stream: no warning at 9, the 95 % one at 10, before the command is queued.
  auto exec_events = [&] {
    auto r = http_request(port_, "POST", "/api/v1/exec", ann,
                          R"({"type":"shell","argv":["/bin/true"]})");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r ? r->body : "";
  };
  EXPECT_EQ(exec_events().find(R"("event":"warnings")"), std::string::npos);
  const std::string tenth = exec_events();
  const size_t warned = tenth.find(R"({"event":"warnings","warnings":[{"policy":"key-shell-day")");
  ASSERT_NE(warned, std::string::npos) << tenth;
  EXPECT_NE(tenth.find(R"("threshold_pct":95)"), std::string::npos) << tenth;
  EXPECT_LT(warned, tenth.find(R"("event":"queued")")) << tenth;
  CliRun refused = gaia({"exec", "--type", "shell", "--", "true"}, ann);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.err.find("gaia: warning"), std::string::npos) << refused.err;

  std::vector<std::string> seen;
  for (int i = 0; i < 50 && seen.size() < 3; ++i) {
    auto m = feed.read();
    ASSERT_TRUE(m) << "the feed ended";
    const std::string type(m->at("type").as_string());
    if (type == "quota_warning") {
      seen.push_back(std::string(m->at("data").at("user").as_string()) + " " +
                     std::to_string(m->at("data").at("threshold_pct").to_number<int>()));
    } else if (type == "violation") {
      seen.push_back("violation");
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ann 80", "ann 95", "violation"}));
}

TEST_F(QuotaWarningTest, ARuleSetsItsOwnThresholds) {
  start_at(1.0);
  Answer rule =
      call("POST", "/api/admin/quotas/config", kAdminKey,
           R"({"name":"tests","subject":{"kind":"global"},"command_type":"test",)"
           R"("limits":[{"kind":"calendar","period":"day","amount":10}],"warn_at":[50]})");
  ASSERT_EQ(rule.status, 201) << boost::json::serialize(rule.body);
  EXPECT_EQ(rule.body.at("warn_at"), boost::json::array({50}));
  const std::string ann = ten_a_day("ann");
  EXPECT_EQ(thresholds_of(ann, 10, "test"), (std::vector<int>{0, 0, 0, 0, 50, 0, 0, 0, 0, 0}));
}

TEST_F(QuotaWarningTest, ATierCanHaveOtherThresholdsOrNone) {
  start_at(1.0, {"GAIA_WARN_AT_DEFAULT=none", "GAIA_WARN_AT_PREMIUM=30,60"});
  const std::string ann = ten_a_day("ann");
  EXPECT_EQ(thresholds_of(ann, 10), std::vector<int>(10, 0));
  const std::string pat = create_user_key(
      "pat", R"({"name":"pat","tier":"premium"})",
      R"({"limits":[{"kind":"calendar","period":"day","amount":10,"type":"shell"}]})");
  EXPECT_EQ(thresholds_of(pat, 7), (std::vector<int>{0, 0, 30, 0, 0, 60, 0}));
}

TEST_F(QuotaWarningTest, BadThresholdsAreRefusedNamingTheField) {
  start_at(1.0);
  for (const std::string warn_at : {"[95,80]", "[0]", "[101]", "[10,20,30,40,50]", "\"80\""}) {
    Answer a = call("POST", "/api/admin/quotas/config", kAdminKey,
                    R"({"subject":{"kind":"global"},"command_type":"test",)"
                    R"("limits":[{"kind":"calendar","period":"day","amount":10}],"warn_at":)" +
                        warn_at + "}");
    EXPECT_EQ(a.status, 400) << warn_at;
    EXPECT_EQ(a.body["field"], "warn_at") << warn_at;
  }
}

}  // namespace
}  // namespace gaia::testing
