// One real gaia_server counting in a real Redis (GAIA_REDIS_URL): admissions are counted in
// Redis; with Redis gone the closed policy answers 503 and the health details say degraded; Redis
// restarted empty gets the calendar usage back from the store, so what was used stays used.
// Commands Gaia runs (POST /api/v1/exec) count in the same counters, and a running command
// keeps its concurrency slot there however many lease terms it runs; so does an agent's command
// from when it starts to wait for an admin's approval, and a denial gives the slot back.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"
#include "support/redis_server.h"
#include "support/streaming_call.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "redis-counters-test-admin-key-0123456789abcdef";

class RedisCountersTest : public GaiaServerTest {
 protected:
  RedisCountersTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override {
    std::string error;
    redis_ = RedisServer::create({}, error);
    ASSERT_TRUE(redis_) << error;
  }
  RawResponse call(std::string_view method, std::string_view path, std::string_view key,
                   std::string_view body = {}) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << ": no answer";
    return r ? *r : RawResponse{};
  }
  std::string health() { return call("GET", "/api/admin/health", kAdminKey).body; }
  RawResponse check(const std::string& key, int cost = 1) {
    return call("POST", "/api/v1/check", key,
                R"({"type":"shell","cost":)" + std::to_string(cost) + "}");
  }
  // What Redis holds for the user's daily shell quota ("" when nothing).
  std::string daily_used() {
    std::string keys = redis_->cli({"--scan", "--pattern", "gaia:*:c:*:shell:day"});
    if (keys.empty()) return "";
    return redis_->cli({"HGET", keys.substr(0, keys.find('\n')), "u"});
  }
  static bool eventually(const std::function<bool()>& done) {
    return testing::eventually(done, std::chrono::seconds(20), std::chrono::milliseconds(50));
  }

  std::unique_ptr<RedisServer> redis_;
};

TEST_F(RedisCountersTest, CountsInRedisRefusesWhileItIsGoneAndRestoresWhenItComesBackEmpty) {
  // A deadline a busy test machine meets; the 5 ms default is for production hardware.
  start({"GAIA_REDIS_URL=" + redis_->url(), "GAIA_REDIS_FAILURE=closed",
         "GAIA_REDIS_DEADLINE_MS=500", "GAIA_PROC_ROOT=" + idle_proc_root()});
  ASSERT_EQ(call("POST", "/api/admin/quotas/config", kAdminKey,
                 R"({"subject":{"kind":"global"},"command_type":"shell",)"
                 R"("limits":[{"kind":"calendar","period":"day","amount":3}]})")
                .status,
            201);
  const std::string key = create_user_key("alice", R"({"name":"alice"})");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(check(key).status, 200) << i;
  RawResponse refused = check(key);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(daily_used(), "3") << "counted in Redis";
  // The usage is durable before Redis goes.
  ASSERT_TRUE(eventually([&] { return count_rows("SELECT SUM(used) FROM quota_usage") == 3; }));

  EXPECT_NE(health().find(R"("status":"ok")"), std::string::npos) << health();
  redis_->kill();
  // Another cost: not the refusal this node noted, so only Redis could answer it.
  RawResponse away = check(key, 2);
  EXPECT_EQ(away.status, 503) << away.body;
  EXPECT_NE(away.body.find("counters_unavailable"), std::string::npos) << away.body;
  EXPECT_TRUE(eventually([&] {
    const std::string h = health();
    return h.find(R"("status":"degraded")") != std::string::npos &&
           h.find(R"("state":"unreachable")") != std::string::npos &&
           h.find(R"("failure_policy":"closed")") != std::string::npos;
  })) << health();

  ASSERT_TRUE(redis_->restart());
  // The node sees the new epoch and restores the day's usage from the store.
  ASSERT_TRUE(eventually([&] { return daily_used() == "3"; })) << daily_used();
  RawResponse after = check(key, 2);
  EXPECT_EQ(after.status, 429) << after.body;
  stop();
}

TEST_F(RedisCountersTest, ResettingAUserClearsItsCountersInRedis) {
  start({"GAIA_REDIS_URL=" + redis_->url(), "GAIA_REDIS_DEADLINE_MS=500",
         "GAIA_PROC_ROOT=" + idle_proc_root()});
  ASSERT_EQ(call("POST", "/api/admin/quotas/config", kAdminKey,
                 R"({"subject":{"kind":"global"},"command_type":"shell",)"
                 R"("limits":[{"kind":"calendar","period":"day","amount":3}]})")
                .status,
            201);
  const std::string key = create_user_key("alice", R"({"name":"alice"})");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(check(key).status, 200) << i;
  EXPECT_EQ(check(key).status, 429);
  ASSERT_EQ(daily_used(), "3");

  RawResponse reset = call("POST", "/api/admin/users/alice/reset", kAdminKey);
  EXPECT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(daily_used(), "") << "the user's counters are gone from Redis";
  // Another cost than the refusal this node noted: Redis decides it, from zero.
  RawResponse after = check(key, 2);
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(daily_used(), "2");

  redis_->kill();
  RawResponse away = call("POST", "/api/admin/users/alice/reset", kAdminKey);
  EXPECT_EQ(away.status, 503) << away.body;
  EXPECT_NE(away.body.find("counters_unavailable"), std::string::npos) << away.body;
  stop();
}

TEST_F(RedisCountersTest, ExecCountsInRedisAndRefusesWhileItIsGone) {
  start({"GAIA_REDIS_URL=" + redis_->url(), "GAIA_REDIS_FAILURE=closed",
         "GAIA_REDIS_DEADLINE_MS=500", "GAIA_PROC_ROOT=" + idle_proc_root()});
  ASSERT_EQ(call("POST", "/api/admin/quotas/config", kAdminKey,
                 R"({"subject":{"kind":"global"},"command_type":"shell",)"
                 R"("limits":[{"kind":"calendar","period":"day","amount":3}]})")
                .status,
            201);
  const std::string key = create_user_key("alice", R"({"name":"alice"})");
  auto exec = [&] {
    return call("POST", "/api/v1/exec", key, R"({"type":"shell","argv":["true"]})");
  };
  RawResponse ran = exec();
  EXPECT_EQ(ran.status, 200) << ran.body;
  EXPECT_EQ(daily_used(), "1") << "a command Gaia runs is counted in Redis too";
  // The check and the command count against the same counter.
  EXPECT_EQ(check(key).status, 200);
  EXPECT_EQ(daily_used(), "2");
  ASSERT_TRUE(eventually([&] { return count_rows("SELECT SUM(used) FROM quota_usage") == 2; }));

  redis_->kill();
  RawResponse away = exec();
  EXPECT_EQ(away.status, 503) << away.body;
  EXPECT_NE(away.body.find("counters_unavailable"), std::string::npos) << away.body;
  EXPECT_EQ(away.headers["retry-after"], "1");

  ASSERT_TRUE(redis_->restart());
  ASSERT_TRUE(eventually([&] { return daily_used() == "2"; })) << daily_used();
  EXPECT_EQ(exec().status, 200);
  RawResponse refused = exec();
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_NE(refused.body.find("limit_exceeded"), std::string::npos) << refused.body;
  stop();
}

TEST_F(RedisCountersTest, ARunningCommandKeepsItsConcurrencySlotPastManyLeaseTerms) {
  constexpr auto kTtl = std::chrono::milliseconds(600);
  start({"GAIA_REDIS_URL=" + redis_->url(), "GAIA_REDIS_DEADLINE_MS=500",
         "GAIA_REDIS_LEASE_TTL_MS=" + std::to_string(kTtl.count()),
         "GAIA_PROC_ROOT=" + idle_proc_root()});
  ASSERT_EQ(call("POST", "/api/admin/quotas/config", kAdminKey,
                 R"({"subject":{"kind":"global"},"command_type":"shell",)"
                 R"("limits":[{"kind":"concurrency","amount":1}]})")
                .status,
            201);
  const std::string key = create_user_key("alice", R"({"name":"alice"})");
  StreamingCall running(port_, "/api/v1/exec", key,
                        R"({"type":"shell","argv":["/bin/sleep","60"]})");
  ASSERT_TRUE(running.wait_for("\"started\"", std::chrono::seconds(10))) << running.received();
  // Longer than three terms: only the renewals keep the slot.
  std::this_thread::sleep_for(kTtl * 4);

  RawResponse second = call("POST", "/api/v1/exec", key, R"({"type":"shell","argv":["true"]})");
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_NE(second.body.find("shell-concurrency"), std::string::npos) << second.body;
  RawResponse checked = check(key);
  EXPECT_EQ(checked.status, 429) << checked.body;

  // Its end gives the slot back at once.
  running.hang_up();
  EXPECT_TRUE(eventually([&] { return check(key).status == 200; }));
  stop();
}

TEST_F(RedisCountersTest, AnApprovedCommandHoldsItsSlotFromItsWaitUntilItEndsADeniedOneNot) {
  constexpr auto kTtl = std::chrono::milliseconds(600);
  start({"GAIA_REDIS_URL=" + redis_->url(), "GAIA_REDIS_DEADLINE_MS=500",
         "GAIA_REDIS_LEASE_TTL_MS=" + std::to_string(kTtl.count()),
         "GAIA_CONFIRM_APPROVAL_WAIT_S=60", "GAIA_PROC_ROOT=" + idle_proc_root()});
  ASSERT_EQ(call("POST", "/api/admin/quotas/config", kAdminKey,
                 R"({"subject":{"kind":"global"},"command_type":"shell",)"
                 R"("limits":[{"kind":"concurrency","amount":1}]})")
                .status,
            201);
  const std::string key = create_user_key("alice", R"({"name":"alice"})");
  const std::string agent_sleep = R"({"type":"shell","agent":true,"argv":["/bin/sleep","60"]})";
  // Waits until `waiting` is told it waits, then answers it with `decision`.
  auto answer = [&](StreamingCall& waiting, const std::string& decision) {
    const std::string field = "\"approval_id\":";
    EXPECT_TRUE(waiting.wait_for(field, std::chrono::seconds(10))) << waiting.received();
    const size_t at = waiting.received().find(field);
    if (at == std::string::npos) return;
    const std::string id =
        std::to_string(std::stoull(waiting.received().substr(at + field.size())));
    EXPECT_EQ(call("POST", "/api/admin/approvals/" + id, kAdminKey,
                   R"({"decision":")" + decision + R"("})")
                  .status,
              200);
  };

  // Waiting, past several lease terms, it holds the slot; the denial gives it back.
  StreamingCall denied(port_, "/api/v1/exec", key, agent_sleep);
  ASSERT_TRUE(denied.wait_for("approval_required", std::chrono::seconds(10))) << denied.received();
  std::this_thread::sleep_for(kTtl * 4);
  EXPECT_EQ(check(key).status, 429);
  answer(denied, "deny");
  ASSERT_TRUE(denied.wait_for("\"denied\"", std::chrono::seconds(10))) << denied.received();
  EXPECT_EQ(check(key).status, 200) << "the denial gave the slot back";

  // Approved, it runs holding the slot it took when it started to wait.
  StreamingCall approved(port_, "/api/v1/exec", key, agent_sleep);
  answer(approved, "approve");
  ASSERT_TRUE(approved.wait_for("\"started\"", std::chrono::seconds(10))) << approved.received();
  // Longer than three terms: only the renewals keep the slot.
  std::this_thread::sleep_for(kTtl * 4);
  RawResponse second = call("POST", "/api/v1/exec", key, R"({"type":"shell","argv":["true"]})");
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_NE(second.body.find("shell-concurrency"), std::string::npos) << second.body;
  EXPECT_EQ(check(key).status, 429);

  // Its end gives the slot back.
  approved.hang_up();
  EXPECT_TRUE(eventually([&] { return check(key).status == 200; }));
  stop();
}

}  // namespace
}  // namespace gaia::testing
