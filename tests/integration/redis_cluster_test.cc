// Three real gaia_server nodes on one real PostgreSQL database and one real Redis count as
// one: 10,000 checks at once, spread over the nodes, against a limit of 1,000 units admit
// exactly 1,000 units, whether the limit is a calendar quota, a sliding window or weighs a
// cost of 2; commands run at once through every node hold exactly the slots of a concurrency
// limit. A node killed with -9 while its commands hold slots gives them back when their
// leases lapse, not before. With Redis paused (SIGSTOP) the closed policy answers 503 within
// the deadline; with Redis killed the local policy shares the limit out among the live nodes,
// and the open policy admits. Every node's quota views show what Redis counted, whichever node
// admitted. Envoy's rate limit service on the three nodes, driven concurrently by an
// independent gRPC client (rls_storm.mjs), admits exactly the quota too.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/redis_nodes_test.h"
#include "support/cli_run.h"
#include "support/streaming_call.h"

namespace gaia::testing {
namespace {

constexpr int kChecks = 10'000;
constexpr int kClientsPerNode = 4;  // keep-alive connections, each its own thread

// How a storm of checks was answered.
struct Tally {
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  // The load throttle's 503 (factor 0): the machine's own load, which the fake /proc does not
  // always hide (pressure figures).
  std::atomic<int> throttled{0};
  std::atomic<int> other{0};  // anything else: none expected
};

class RedisClusterTest : public RedisNodesTest {
 protected:
  // kChecks checks of `cost` at once, spread evenly over the nodes.
  void storm(const std::string& key, int cost, Tally& tally) {
    const std::string body = R"({"type":"shell","cost":)" + std::to_string(cost) + "}";
    const std::string request =
        "POST /api/v1/check HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + key +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    constexpr int kClients = static_cast<int>(kNodes) * kClientsPerNode;
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        RawHttpConnection connection(nodes_->port(static_cast<size_t>(c) % kNodes),
                                     std::chrono::seconds(30));
        for (int i = c; i < kChecks; i += kClients) {
          std::optional<RawResponse> r;
          if (connection.send(request)) r = connection.read_response();
          const int status = r ? r->status : 0;
          const bool throttled =
              status == 503 && r->body.find(R"("throttle")") != std::string::npos;
          (status == 200   ? tally.admitted
           : status == 429 ? tally.refused
           : throttled     ? tally.throttled
                           : tally.other)++;
        }
      });
    }
    for (std::thread& t : clients) t.join();
  }

  // Never more than `admissions`; exactly that many when the load throttle stopped nothing
  // (a throttled check is stopped before any counter is asked).
  static void expect_exactly(const Tally& tally, int admissions) {
    EXPECT_LE(tally.admitted, admissions);
    EXPECT_EQ(tally.admitted + tally.refused + tally.throttled, kChecks);
    if (tally.throttled == 0) {
      EXPECT_EQ(tally.admitted, admissions);
    }
    EXPECT_EQ(tally.other, 0);
  }
};

TEST_F(RedisClusterTest, ThreeNodesAdmitExactlyTheDailyQuota) {
  start("closed");
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":1000}])", key, "shell-day");
  Tally tally;
  storm(key, 1, tally);
  expect_exactly(tally, 1000);
}

TEST_F(RedisClusterTest, ThreeNodesAdmitExactlyTheSlidingWindow) {
  start("closed");
  const std::string key = user_key("alice");
  // The day's built-in quota (500) raised out of the way: the window alone decides.
  limit_shell(R"([{"kind":"rate","amount":1000,"window_ms":3600000},)"
              R"({"kind":"calendar","period":"day","amount":100000}])",
              key, "shell-rate-3600s");
  Tally tally;
  storm(key, 1, tally);
  expect_exactly(tally, 1000);
}

TEST_F(RedisClusterTest, ThreeNodesAdmitExactlyTheUnitsOfAWeightedCost) {
  start("closed");
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":1000}])", key, "shell-day");
  Tally tally;
  storm(key, 2, tally);
  expect_exactly(tally, 500);  // 1,000 units at 2 a check
}

TEST_F(RedisClusterTest, CommandsRunAtOnceOverThreeNodesHoldExactlyTheConcurrencyLimit) {
  start("closed");
  const std::string key = user_key("alice");
  constexpr int kLimit = 10;
  constexpr int kCommands = 30;
  limit_shell(R"([{"kind":"concurrency","amount":10}])", key, "shell-concurrency", kLimit);
  // Every call sent before any is answered, spread evenly over the nodes.
  std::vector<std::unique_ptr<StreamingCall>> calls;
  for (int i = 0; i < kCommands; ++i) {
    calls.push_back(std::make_unique<StreamingCall>(
        nodes_->port(static_cast<size_t>(i) % kNodes), "/api/v1/exec", key,
        R"({"type":"shell","argv":["/bin/sleep","60"]})"));
    ASSERT_TRUE(calls.back()->sent());
  }
  int admitted = 0, refused = 0, throttled = 0, other = 0;
  for (auto& c : calls) {
    const int status = c->status(std::chrono::seconds(30));
    const bool overloaded = status == 503 && c->wait_for("overloaded", std::chrono::seconds(5));
    (status == 200 ? admitted : status == 429 ? refused : overloaded ? throttled : other)++;
    if (status == 429) {
      EXPECT_TRUE(c->wait_for("shell-concurrency", std::chrono::seconds(5))) << c->received();
    }
  }
  EXPECT_LE(admitted, kLimit);
  EXPECT_EQ(other, 0);
  if (throttled == 0) {
    EXPECT_EQ(admitted, kLimit);
    // While they run (queued or started), every node refuses another.
    for (size_t n = 0; n < kNodes; ++n) EXPECT_EQ(check(n, key).status, 429) << "node " << n;
  }

  // Hanging up cancels the commands, which give their slots back.
  for (auto& c : calls) c->hang_up();
  EXPECT_TRUE(eventually([&] { return check(1, key, kLimit).status == 200; },
                         std::chrono::seconds(20), std::chrono::milliseconds(100)));
}

TEST_F(RedisClusterTest, ANodeKilledWhileItsCommandsHoldSlotsGivesThemBackWhenTheLeasesLapse) {
  constexpr auto kTtl = std::chrono::milliseconds(3000);
  start("closed", {"GAIA_REDIS_LEASE_TTL_MS=" + std::to_string(kTtl.count())});
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"concurrency","amount":2}])", key, "shell-concurrency", 2);
  StreamingCall first(nodes_->port(0), "/api/v1/exec", key,
                      R"({"type":"shell","argv":["/bin/sleep","60"]})");
  StreamingCall second(nodes_->port(0), "/api/v1/exec", key,
                       R"({"type":"shell","argv":["/bin/sleep","60"]})");
  ASSERT_TRUE(first.wait_for("\"started\"", std::chrono::seconds(15))) << first.received();
  ASSERT_TRUE(second.wait_for("\"started\"", std::chrono::seconds(15))) << second.received();
  // Past a few terms the node's renewals still hold both slots.
  std::this_thread::sleep_for(kTtl * 2);
  ASSERT_EQ(check(1, key).status, 429);

  nodes_->process(0).signal(SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  // Renewed at most a third of the term ago: both slots are still held on the other nodes.
  RawResponse held = check(1, key);
  EXPECT_EQ(held.status, 429) << held.body;
  EXPECT_NE(held.body.find("shell-concurrency"), std::string::npos) << held.body;
  // Then both come back together, once the leases lapse.
  ASSERT_TRUE(eventually([&] { return check(2, key, 2).status == 200; }, std::chrono::seconds(30),
                         std::chrono::milliseconds(50)));
  EXPECT_GE(std::chrono::steady_clock::now() - killed, kTtl * 2 / 3)
      << "the slots came back before the leases could have lapsed";
  nodes_->process(0).wait_exit();
}

TEST_F(RedisClusterTest, PausedRedisIsAnsweredByTheClosedPolicyWithinTheDeadline) {
  start("closed");
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":1000}])", key, "shell-day");
  ASSERT_EQ(call(1, "POST", "/api/v1/check", key, R"({"type":"shell"})").status, 200);
  redis_->pause();
  for (size_t n = 0; n < kNodes; ++n) {
    const auto sent = std::chrono::steady_clock::now();
    RawResponse r = call(n, "POST", "/api/v1/check", key, R"({"type":"shell"})");
    const auto took = std::chrono::steady_clock::now() - sent;
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_NE(r.body.find("counters_unavailable"), std::string::npos) << r.body;
    // The 300 ms deadline, with a generous allowance for a busy machine.
    EXPECT_LT(took, std::chrono::seconds(3)) << "node " << n;
  }
  redis_->resume();
  EXPECT_TRUE(eventually(
      [&] { return call(2, "POST", "/api/v1/check", key, R"({"type":"shell"})").status == 200; },
      std::chrono::seconds(15), std::chrono::milliseconds(100)));
}

TEST_F(RedisClusterTest, WithRedisKilledTheLocalPolicySharesTheLimitOutAmongTheLiveNodes) {
  start("local");
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":1000}])", key, "shell-day");
  wait_for_live_nodes();  // every node knows of the other two
  redis_->kill();
  Tally tally;
  storm(key, 1, tally);
  // Each node counts a third of the limit in its own memory: together at most the limit.
  EXPECT_LE(tally.admitted, 1000);
  EXPECT_GT(tally.admitted + tally.throttled, 0);
  EXPECT_EQ(tally.other, 0);
}

TEST_F(RedisClusterTest, WithRedisKilledTheOpenPolicyAdmits) {
  start("open");
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":1000}])", key, "shell-day");
  redis_->kill();
  for (size_t n = 0; n < kNodes; ++n) {
    RawResponse r = call(n, "POST", "/api/v1/check", key, R"({"type":"shell","cost":5})");
    EXPECT_EQ(r.status, 200) << "node " << n << ": " << r.body;
  }
}

// The `used` of the daily shell quota in a quota listing, -1 when absent.
int64_t daily_used_in(const boost::json::array& quotas) {
  for (const boost::json::value& q : quotas) {
    if (q.at("policy").as_string() == "shell-day") return q.at("used").to_number<int64_t>();
  }
  return -1;
}

// Each node decides its own answers, Redis orders the admissions: a warning threshold is told
// by the one admission that crosses it, whichever node admits, and by no other.
TEST_F(RedisClusterTest, EachWarningThresholdIsToldOnceWhicheverNodeAdmits) {
  start("closed");
  const std::string key = user_key("ann");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":10}])", key, "shell-day", 10);
  std::vector<std::string> told;  // "<check> <threshold>"
  for (int i = 1; i <= 10; ++i) {
    RawResponse r;
    // The machine's own load may throttle a check (503, nothing counted): ask again.
    ASSERT_TRUE(eventually([&] { return (r = check(i % kNodes, key)).status == 200; },
                           std::chrono::seconds(10), std::chrono::milliseconds(50)))
        << r.status << " " << r.body;
    const boost::json::value answer = boost::json::parse(r.body);
    if (const boost::json::value* w = answer.as_object().if_contains("warnings")) {
      for (const boost::json::value& one : w->as_array()) {
        told.push_back(std::to_string(i) + " " +
                       std::to_string(one.at("threshold_pct").to_number<int>()));
      }
    }
  }
  EXPECT_EQ(told, (std::vector<std::string>{"8 80", "10 95"}));
}

// Commands the nodes run themselves count in Redis too, and warn the same way: once per
// threshold, in the exec stream of the command whose admission crossed it.
TEST_F(RedisClusterTest, ACommandANodeRunsWarnsOnceWhicheverNodeRunsIt) {
  start("closed");
  const std::string key = user_key("ann");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":10}])", key, "shell-day", 10);
  std::vector<std::string> told;  // "<command> <threshold>"
  for (int i = 1; i <= 10; ++i) {
    RawResponse r;
    // The machine's own load may refuse a command (503, nothing counted): send it again.
    ASSERT_TRUE(eventually(
        [&] {
          r = call(i % kNodes, "POST", "/api/v1/exec", key,
                   R"({"type":"shell","argv":["/bin/true"]})");
          return r.status == 200;
        },
        std::chrono::seconds(10), std::chrono::milliseconds(50)))
        << r.status << " " << r.body;
    std::istringstream lines(r.body);
    for (std::string line; std::getline(lines, line);) {
      const boost::json::value event = boost::json::parse(line);
      if (event.at("event") != "warnings") continue;
      for (const boost::json::value& one : event.at("warnings").as_array()) {
        told.push_back(std::to_string(i) + " " +
                       std::to_string(one.at("threshold_pct").to_number<int>()));
      }
    }
  }
  EXPECT_EQ(told, (std::vector<std::string>{"8 80", "10 95"}));
}

TEST_F(RedisClusterTest, EveryNodesQuotaViewsShowWhatRedisCounted) {
  start("closed");
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":1000}])", key, "shell-day");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(check(0, key).status, 200);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(check(1, key).status, 200);

  // Node 2 admitted nothing itself.
  const boost::json::value own = boost::json::parse(call(2, "GET", "/api/v1/quota", key).body);
  EXPECT_EQ(daily_used_in(own.at("quotas").as_array()), 5) << own;
  EXPECT_EQ(own.at("counters"), "shared");
  const boost::json::value user =
      boost::json::parse(call(2, "GET", "/api/admin/users/alice", kAdminKey).body);
  EXPECT_EQ(daily_used_in(user.at("quota").as_array()), 5) << user;
  EXPECT_EQ(user.at("counters"), "shared");
  const boost::json::value usage = boost::json::parse(
      call(2, "GET", "/api/admin/quotas/usage?user=alice&type=shell&period=day", kAdminKey).body);
  ASSERT_EQ(usage.at("usage").as_array().size(), 1u) << usage;
  EXPECT_EQ(usage.at("usage").as_array()[0].at("used"), 5) << usage;
  EXPECT_EQ(usage.at("counters"), "shared");

  // Redis away: the node's own figures, marked as such.
  redis_->kill();
  const boost::json::value local = boost::json::parse(call(2, "GET", "/api/v1/quota", key).body);
  EXPECT_EQ(local.at("counters"), "local") << local;
  EXPECT_EQ(daily_used_in(local.at("quotas").as_array()), 0) << local;
}

TEST_F(RedisClusterTest, EnvoysRateLimitServiceOnThreeNodesAdmitsExactlyTheQuota) {
  start("closed", {"GAIA_RLS_PORT=0", "GAIA_RLS_THREADS=2"});
  const std::string key = user_key("alice");
  limit_shell(R"([{"kind":"calendar","period":"day","amount":300}])", key, "shell-day", 300);
  std::string addresses;
  for (size_t n = 0; n < kNodes; ++n) {
    const std::string prefix = "[INFO] Envoy rate limit service (gRPC) on ";
    auto line = nodes_->process(n).read_line_starting(prefix);
    ASSERT_TRUE(line) << "node " << n << ": " << nodes_->process(n).stdout_;
    addresses += (n == 0 ? "" : ",") + line->substr(prefix.size());
  }
  // 1,000 calls, 48 in flight, over the three services in turn.
  CliRun storm =
      run_program(GAIA_NODE_PATH, {GAIA_RLS_STORM, addresses, key, "shell", "1000", "48"},
                  {"PATH=/usr/bin:/bin"});
  ASSERT_EQ(storm.exit_code, 0) << storm.out << storm.err;
  const boost::json::value tally = boost::json::parse(storm.out);
  EXPECT_EQ(tally.at("ok"), 300) << tally;
  EXPECT_EQ(tally.at("over_limit"), 700) << tally;
  EXPECT_EQ(tally.at("other"), 0) << tally;
  EXPECT_EQ(daily_used(), "300");

  // Redis silent: every call, 96 in flight on two threads a node, is answered once the
  // counters' deadline passes (on their thread, which finishes the call): refused, as the
  // closed failure policy says.
  redis_->pause();
  CliRun silent =
      run_program(GAIA_NODE_PATH, {GAIA_RLS_STORM, addresses, key, "shell", "300", "96"},
                  {"PATH=/usr/bin:/bin"});
  redis_->resume();
  ASSERT_EQ(silent.exit_code, 0) << silent.out << silent.err;
  const boost::json::value refused = boost::json::parse(silent.out);
  EXPECT_EQ(refused.at("ok"), 0) << refused;
  EXPECT_EQ(refused.at("over_limit"), 300) << refused;
  EXPECT_EQ(refused.at("other"), 0) << refused;
}

}  // namespace
}  // namespace gaia::testing
