#pragma once
// RedisNodesTest: the fixture of tests that run three real gaia_server nodes on one real
// PostgreSQL database (one cluster per suite, a database per test) and one real Redis of the
// test's own, which the test may pause, kill or restart empty. Helpers make users and rules
// through node 0 and read what Redis and PostgreSQL hold.
//
// Not thread-safe, except call() and check(), which any thread may use.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/eventually.h"
#include "support/gaia_nodes.h"
#include "support/postgres_cluster.h"
#include "support/raw_http_client.h"
#include "support/redis_server.h"

namespace gaia::testing {

class RedisNodesTest : public ::testing::Test {
 protected:
  static constexpr size_t kNodes = 3;
  static constexpr const char* kAdminKey = "redis-nodes-test-admin-key-0123456789abcdef";

  static void SetUpTestSuite() {
    std::string error;
    postgres_ = PostgresCluster::create(error).release();
    ASSERT_NE(postgres_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete postgres_;
    postgres_ = nullptr;
  }

  // The nodes count in a Redis of this test's own, with the outage policy `failure`, a
  // deadline a busy machine meets, and `extra_env`, which may set these otherwise (gaia_server
  // reads the last setting of a variable).
  void start(const std::string& failure, const std::vector<std::string>& extra_env = {}) {
    std::string error;
    redis_ = RedisServer::create({}, error);
    ASSERT_TRUE(redis_) << error;
    database_url_ = postgres_->create_database();
    nodes_ = std::make_unique<GaiaNodes>(kAdminKey, database_url_);
    std::vector<std::string> env = {"GAIA_REDIS_URL=" + redis_->url(),
                                    "GAIA_REDIS_FAILURE=" + failure, "GAIA_REDIS_DEADLINE_MS=300"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    ASSERT_TRUE(nodes_->start(kNodes, env));
  }
  void TearDown() override {
    if (nodes_) {
      EXPECT_TRUE(nodes_->stop());
    }
  }

  RawResponse call(size_t node, std::string_view method, std::string_view path,
                   std::string_view key, std::string_view body = {}) {
    auto r = http_request(nodes_->port(node), method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << " on node " << node << ": no answer";
    return r ? *r : RawResponse{};
  }
  // A shell check of `cost` on `node`.
  RawResponse check(size_t node, const std::string& key, int cost = 1) {
    return call(node, "POST", "/api/v1/check", key,
                R"({"type":"shell","cost":)" + std::to_string(cost) + "}");
  }
  // A user made on node 0 and a key of it.
  std::string user_key(const std::string& name) {
    EXPECT_EQ(call(0, "POST", "/api/admin/users", kAdminKey,
                   R"({"name":")" + name + R"(","tier":"default"})")
                  .status,
              201);
    RawResponse made = call(0, "POST", "/api/admin/users/" + name + "/keys", kAdminKey, "{}");
    EXPECT_EQ(made.status, 201) << made.body;
    if (made.status != 201) return "";
    return std::string(boost::json::parse(made.body).at("key").as_string());
  }
  // Whether `node` holds shell limit `policy` at `amount` for the user of `key`.
  bool holds(size_t node, const std::string& key, const std::string& policy, int64_t amount) {
    RawResponse r = call(node, "GET", "/api/v1/quota", key);
    if (r.status != 200) return false;
    const boost::json::value quota = boost::json::parse(r.body);
    for (const boost::json::value& q : quota.at("quotas").as_array()) {
      if (q.at("policy").as_string() == policy && q.at("limit").to_number<int64_t>() == amount) {
        return true;
      }
    }
    return false;
  }
  // Sets a global shell rule of `limits` (JSON) and `extra` fields (`,"outage":"open"`) on
  // node 0 and waits until every node holds `policy` at `amount` for the user of `key`.
  void limit_shell(const std::string& limits, const std::string& key, const std::string& policy,
                   int64_t amount = 1000, const std::string& extra = "") {
    RawResponse set = call(
        0, "POST", "/api/admin/quotas/config", kAdminKey,
        R"({"subject":{"kind":"global"},"command_type":"shell","limits":)" + limits + extra + "}");
    ASSERT_EQ(set.status, 201) << set.body;
    for (size_t n = 0; n < kNodes; ++n) {
      ASSERT_TRUE(eventually([&] { return holds(n, key, policy, amount); },
                             std::chrono::seconds(15), std::chrono::milliseconds(50)))
          << "node " << n << ": " << call(n, "GET", "/api/v1/quota", key).body;
    }
  }
  // Waits until every node counts the three live nodes (heartbeats).
  void wait_for_live_nodes() {
    for (size_t n = 0; n < kNodes; ++n) {
      ASSERT_TRUE(eventually(
          [&] {
            RawResponse r = call(n, "GET", "/api/admin/cluster", kAdminKey);
            return r.status == 200 &&
                   boost::json::parse(r.body).at("live_nodes").to_number<int64_t>() == kNodes;
          },
          std::chrono::seconds(20), std::chrono::milliseconds(100)))
          << "node " << n;
    }
  }

  // Waits until every node has a connection to Redis again (/health).
  void wait_for_redis() {
    for (size_t n = 0; n < kNodes; ++n) {
      ASSERT_TRUE(eventually(
          [&] {
            return call(n, "GET", "/api/admin/health", kAdminKey)
                       .body.find(R"("backend":"redis","state":"ok")") != std::string::npos;
          },
          std::chrono::seconds(20), std::chrono::milliseconds(50)))
          << "node " << n << ": " << call(n, "GET", "/api/admin/health", kAdminKey).body;
    }
  }

  // What Redis holds for the daily shell quota of the (one) user ("" when nothing).
  std::string daily_used() {
    std::string keys = redis_->cli({"--scan", "--pattern", "gaia:*:c:*:shell:day"});
    if (keys.empty()) return "";
    return redis_->cli({"HGET", keys.substr(0, keys.find('\n')), "u"});
  }
  // The shell usage PostgreSQL holds, summed over users and days.
  int64_t stored_usage() {
    PGconn* db = PQconnectdb(database_url_.c_str());
    PGresult* r = PQexec(db, "SELECT COALESCE(SUM(used), 0) FROM quota_usage WHERE type = 'shell'");
    int64_t used = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
      used = std::stoll(PQgetvalue(r, 0, 0));
    } else {
      ADD_FAILURE() << PQerrorMessage(db);
    }
    PQclear(r);
    PQfinish(db);
    return used;
  }

  inline static PostgresCluster* postgres_ = nullptr;
  std::string database_url_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<GaiaNodes> nodes_;
};

}  // namespace gaia::testing
