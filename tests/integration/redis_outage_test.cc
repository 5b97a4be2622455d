// Three real gaia_server nodes on one real PostgreSQL and one real Redis, with Redis away:
// - a rule's own outage policy beats the nodes' GAIA_REDIS_FAILURE, both ways;
// - Redis killed and restarted empty mid-run under each of closed, open and local: while it
//   is away each policy answers as docs/cluster.md says, no check waits past its deadline,
//   and once it is back the day's usage in Redis is what PostgreSQL recorded, so a daily quota
//   of 10 admits exactly what is left of it;
// - checks and quota views waiting on a silent Redis hold no io thread: the node answers
//   everything else meanwhile.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "integration/redis_nodes_test.h"

namespace gaia::testing {
namespace {

constexpr const char* kDay10 = R"([{"kind":"calendar","period":"day","amount":10}])";
// Every calendar slot of shell: the built-in week and month, which follow the nodes' policy,
// are overridden too.
constexpr const char* kEveryShellQuota = R"([{"kind":"calendar","period":"day","amount":10},)"
                                         R"({"kind":"calendar","period":"week","amount":100},)"
                                         R"({"kind":"calendar","period":"month","amount":100}])";
// The 300 ms deadline, with a generous allowance for a busy machine.
constexpr std::chrono::seconds kWithinDeadline{3};

class RedisOutageTest : public RedisNodesTest {
 protected:
  // A check on `node`, expected answered within the deadline; its status.
  int timed_check(size_t node, const std::string& key) {
    const auto sent = std::chrono::steady_clock::now();
    RawResponse r = check(node, key);
    EXPECT_LT(std::chrono::steady_clock::now() - sent, kWithinDeadline) << "node " << node;
    return r.status;
  }
  // Checks `n` times over the nodes in turn, from `first`; how many were admitted. Every
  // answer is an admission or a refusal within the deadline.
  int admitted(const std::string& key, int n, size_t first = 0) {
    int ok = 0;
    for (int i = 0; i < n; ++i) {
      const int status = timed_check((first + static_cast<size_t>(i)) % kNodes, key);
      EXPECT_TRUE(status == 200 || status == 429) << status;
      ok += status == 200;
    }
    return ok;
  }
  // Waits until PostgreSQL holds `used` units of shell usage (the write queue has flushed).
  void wait_stored(int64_t used) {
    ASSERT_TRUE(eventually([&] { return stored_usage() == used; }, std::chrono::seconds(20),
                           std::chrono::milliseconds(100)))
        << stored_usage();
  }
  // Restarts Redis empty and waits until a node has restored the day's usage from PostgreSQL
  // and every node is connected again (a node still away would answer by its policy).
  void restart_empty(int64_t stored) {
    ASSERT_TRUE(redis_->restart());
    ASSERT_TRUE(eventually([&] { return daily_used() == std::to_string(stored); },
                           std::chrono::seconds(20), std::chrono::milliseconds(50)))
        << "Redis holds " << daily_used() << ", PostgreSQL " << stored;
    wait_for_redis();
  }
  // The user of `key` under a daily shell quota of 10 with 6 used, counted in Redis and stored.
  void six_of_ten_used(const std::string& key) {
    limit_shell(kDay10, key, "shell-day", 10);
    EXPECT_EQ(admitted(key, 6), 6);
    ASSERT_EQ(daily_used(), "6");
    wait_stored(6);
  }
};

TEST_F(RedisOutageTest, ARuleThatSaysOpenAdmitsWhileRedisIsAwayThoughTheNodesSayClosed) {
  start("closed");
  const std::string key = user_key("alice");
  limit_shell(kEveryShellQuota, key, "shell-day", 10, R"(,"outage":"open")");
  redis_->pause();
  for (size_t n = 0; n < kNodes; ++n) EXPECT_EQ(timed_check(n, key), 200) << "node " << n;
  redis_->resume();
  redis_->kill();
  for (size_t n = 0; n < kNodes; ++n) EXPECT_EQ(timed_check(n, key), 200) << "node " << n;
}

TEST_F(RedisOutageTest, AnOpenRuleBesideABuiltInQuotaUnderTheNodesClosedStaysClosed) {
  start("closed");
  const std::string key = user_key("alice");
  // The built-in week and month of shell stay, under the nodes' closed: the strictest.
  limit_shell(kDay10, key, "shell-day", 10, R"(,"outage":"open")");
  redis_->kill();
  for (size_t n = 0; n < kNodes; ++n) EXPECT_EQ(timed_check(n, key), 503) << "node " << n;
}

TEST_F(RedisOutageTest, ARuleThatSaysClosedRefusesWhileRedisIsAwayThoughTheNodesSayOpen) {
  start("open");
  const std::string key = user_key("alice");
  limit_shell(kDay10, key, "shell-day", 10, R"(,"outage":"closed")");
  redis_->kill();
  for (size_t n = 0; n < kNodes; ++n) {
    RawResponse r = check(n, key);
    EXPECT_EQ(r.status, 503) << "node " << n << ": " << r.body;
    EXPECT_NE(r.body.find("counters_unavailable"), std::string::npos) << r.body;
    EXPECT_EQ(r.headers["retry-after"], "1");
  }
  EXPECT_EQ(stored_usage(), 0);
}

TEST_F(RedisOutageTest, RestartedEmptyUnderClosedTheQuotaResumesFromWhatWasStored) {
  start("closed");
  const std::string key = user_key("alice");
  six_of_ten_used(key);
  redis_->kill();
  for (size_t n = 0; n < kNodes; ++n) EXPECT_EQ(timed_check(n, key), 503) << "node " << n;
  restart_empty(6);
  EXPECT_EQ(admitted(key, 8), 4);
  EXPECT_EQ(daily_used(), "10");
}

TEST_F(RedisOutageTest, RestartedEmptyUnderOpenTheAdmissionsOfTheOutageStayCounted) {
  start("open");
  const std::string key = user_key("alice");
  six_of_ten_used(key);
  redis_->kill();
  EXPECT_EQ(timed_check(1, key), 200);
  EXPECT_EQ(timed_check(2, key), 200);
  wait_stored(8);
  restart_empty(8);
  EXPECT_EQ(admitted(key, 6), 2);
  EXPECT_EQ(daily_used(), "10");
}

TEST_F(RedisOutageTest, RestartedEmptyUnderLocalEachNodeKeptItsShareAndTheQuotaResumes) {
  start("local");
  const std::string key = user_key("alice");
  wait_for_live_nodes();
  six_of_ten_used(key);
  redis_->kill();
  // Node 0 counts its third of the 10 (3) in its own memory, blind to the 6 Redis counted.
  int at_node0 = 0;
  for (int i = 0; i < 4; ++i) at_node0 += timed_check(0, key) == 200;
  EXPECT_EQ(at_node0, 3);
  wait_stored(9);
  restart_empty(9);
  EXPECT_EQ(admitted(key, 6), 1);
  EXPECT_EQ(daily_used(), "10");
}

TEST_F(RedisOutageTest, ChecksWaitingOnASilentRedisHoldNoIoThread) {
  // One io thread a node, and a deadline long enough that an answer held up behind the
  // waiting checks would show.
  constexpr std::chrono::seconds kDeadline{4};
  start("closed",
        {"GAIA_THREADS=1", "GAIA_REDIS_DEADLINE_MS=" + std::to_string(kDeadline.count() * 1000)});
  const std::string key = user_key("alice");
  limit_shell(kDay10, key, "shell-day", 10);
  redis_->pause();
  // Four checks and a quota view in flight on node 0.
  std::vector<std::unique_ptr<RawHttpConnection>> waiting;
  const auto sent = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    waiting.push_back(std::make_unique<RawHttpConnection>(nodes_->port(0), 3 * kDeadline));
    ASSERT_TRUE(waiting.back()->connected());
    ASSERT_TRUE(waiting.back()->send(
        i < 4 ? request_text("POST", "/api/v1/check", key, R"({"type":"shell"})")
              : request_text("GET", "/api/v1/quota", key)));
  }
  // The node answers what needs no counters while they wait: before their deadline passes.
  for (int i = 0; i < 3; ++i) {
    auto live = http_get(nodes_->port(0), "/health");
    ASSERT_TRUE(live);
    EXPECT_EQ(live->status, 200);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - sent, kDeadline / 2);
  // Then each waiting request has its own answer: the closed policy refuses the checks, the
  // view shows the node's own figures.
  for (size_t i = 0; i < waiting.size(); ++i) {
    auto r = waiting[i]->read_response();
    ASSERT_TRUE(r) << "request " << i;
    if (i < 4) {
      EXPECT_EQ(r->status, 503) << r->body;
      EXPECT_NE(r->body.find("counters_unavailable"), std::string::npos) << r->body;
    } else {
      EXPECT_EQ(r->status, 200) << r->body;
      EXPECT_NE(r->body.find(R"("counters":"local")"), std::string::npos) << r->body;
    }
  }
  redis_->resume();
  EXPECT_EQ(stored_usage(), 0);
}

}  // namespace
}  // namespace gaia::testing
