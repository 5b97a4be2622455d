// Several real gaia_server nodes on one real PostgreSQL database act as one: what an admin
// changes on one node (a key made or revoked, a rule, a pattern) is in force on the others
// within a second; a node whose change feed connection was cut reloads everything when it
// reconnects; and every node's /api/admin/cluster shows the nodes with their admissions.

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
#include "support/ws_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "cluster-admin-key-0123456789abcdef0123";
// Changes must reach the other nodes within a second of the answer that made them.
constexpr auto kWithin = std::chrono::milliseconds(1'000);
constexpr auto kEvery = std::chrono::milliseconds(20);
// Heartbeats and reconnections come every second or so: waits for them are longer.
constexpr auto kSlowWait = std::chrono::seconds(15);

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    postgres_ = PostgresCluster::create(error).release();
    ASSERT_NE(postgres_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete postgres_;
    postgres_ = nullptr;
  }

  void SetUp() override {
    url_ = postgres_->create_database();
    nodes_ = std::make_unique<GaiaNodes>(kAdminKey, url_);
    ASSERT_TRUE(nodes_->start(3));
  }
  void TearDown() override { EXPECT_TRUE(nodes_->stop()); }

  RawResponse call(size_t node, std::string_view method, std::string_view path,
                   std::string_view key, std::string_view body = {}) {
    auto r = http_request(nodes_->port(node), method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << " on node " << node << ": no answer";
    return r ? *r : RawResponse{};
  }
  int status(size_t node, std::string_view method, std::string_view path, std::string_view key,
             std::string_view body = {}) {
    return call(node, method, path, key, body).status;
  }
  // A user `name` made on `node`, and a key of it.
  std::string user_key(size_t node, const std::string& name, uint64_t* key_id = nullptr) {
    EXPECT_EQ(status(node, "POST", "/api/admin/users", kAdminKey,
                     R"({"name":")" + name + R"(","tier":"default"})"),
              201);
    RawResponse made = call(node, "POST", "/api/admin/users/" + name + "/keys", kAdminKey, "{}");
    EXPECT_EQ(made.status, 201) << made.body;
    if (made.status != 201) return "";
    const boost::json::value v = json_of(made);
    if (key_id != nullptr) *key_id = v.at("id").to_number<uint64_t>();
    return std::string(v.at("key").as_string());
  }
  // True once `node` answers `path` with `want` for `key`.
  bool answers(size_t node, std::string_view path, std::string_view key, int want) {
    return status(node, "GET", path, key) == want;
  }
  // Runs `sql` on the cluster's database as another client would; true if it succeeded.
  bool run_sql(const std::string& sql) {
    PGconn* db = PQconnectdb(url_.c_str());
    PGresult* r = PQexec(db, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    EXPECT_TRUE(ok) << sql << ": " << PQerrorMessage(db);
    PQclear(r);
    PQfinish(db);
    return ok;
  }
  boost::json::object health(size_t node) {
    RawResponse r = call(node, "GET", "/api/admin/health", kAdminKey);
    return r.status == 200 ? json_of(r).as_object() : boost::json::object{};
  }

  static PostgresCluster* postgres_;
  std::string url_;
  std::unique_ptr<GaiaNodes> nodes_;
};

PostgresCluster* ClusterTest::postgres_ = nullptr;

TEST_F(ClusterTest, AKeyMadeOnOneNodeAuthenticatesOnTheOthersWithinASecond) {
  const std::string key = user_key(0, "alice");
  for (size_t node : {1, 2}) {
    EXPECT_TRUE(
        eventually([&] { return answers(node, "/api/v1/quota", key, 200); }, kWithin, kEvery))
        << "node " << node;
  }
}

TEST_F(ClusterTest, AKeyRevokedOnOneNodeIsRefusedByTheOthersWithinASecond) {
  uint64_t id = 0;
  const std::string key = user_key(0, "bob", &id);
  for (size_t node : {1, 2}) {
    ASSERT_TRUE(
        eventually([&] { return answers(node, "/api/v1/quota", key, 200); }, kSlowWait, kEvery));
  }
  ASSERT_EQ(status(0, "DELETE", "/api/admin/keys/" + std::to_string(id), kAdminKey), 200);
  for (size_t node : {1, 2}) {
    EXPECT_TRUE(
        eventually([&] { return answers(node, "/api/v1/quota", key, 401); }, kWithin, kEvery))
        << "node " << node;
  }
}

TEST_F(ClusterTest, ARuleChangedOnOneNodeIsInForceOnTheOthersWithinASecond) {
  const std::string key = user_key(0, "carol");
  RawResponse made = call(0, "POST", "/api/admin/quotas/config", kAdminKey,
                          R"({"subject":{"kind":"global"},"command_type":"shell",)"
                          R"("limits":[{"kind":"calendar","period":"day","amount":2}]})");
  ASSERT_EQ(made.status, 201) << made.body;
  // On each other node the user's shell-day limit is the new 2, and its third check refused.
  auto day_limit = [&](size_t node) -> int64_t {
    RawResponse r = call(node, "GET", "/api/admin/users/carol", kAdminKey);
    if (r.status != 200) return -1;
    const boost::json::value v = json_of(r);
    for (const auto& line : v.at("quota").as_array()) {
      if (line.at("policy").as_string() == "shell-day")
        return line.at("limit").to_number<int64_t>();
    }
    return -1;
  };
  for (size_t node : {1, 2}) {
    EXPECT_TRUE(eventually([&] { return day_limit(node) == 2; }, kWithin, kEvery))
        << "node " << node;
  }
  const std::string check = R"({"type":"shell"})";
  EXPECT_EQ(status(1, "POST", "/api/v1/check", key, check), 200);
  EXPECT_EQ(status(1, "POST", "/api/v1/check", key, check), 200);
  EXPECT_EQ(status(1, "POST", "/api/v1/check", key, check), 429);
}

TEST_F(ClusterTest, ACommandTypeAddedOnOneNodeIsCheckedOnTheOthersWithinASecond) {
  const std::string key = user_key(0, "dora");
  RawResponse made = call(0, "POST", "/api/admin/types", kAdminKey,
                          R"({"name":"deploy","limits":{"default":)"
                          R"([{"kind":"calendar","period":"day","amount":1}]}})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string check = R"({"type":"deploy"})";
  for (size_t node : {1, 2}) {
    // The key and the type both reach the node: the check is then admitted.
    EXPECT_TRUE(eventually([&] { return status(node, "POST", "/api/v1/check", key, check) == 200; },
                           kWithin, kEvery))
        << "node " << node;
  }
  EXPECT_EQ(status(2, "POST", "/api/v1/check", key, check), 429);  // its one a day is used
  ASSERT_EQ(status(0, "DELETE", "/api/admin/types/deploy", kAdminKey), 200);
  for (size_t node : {1, 2}) {
    EXPECT_TRUE(eventually([&] { return status(node, "POST", "/api/v1/check", key, check) == 400; },
                           kWithin, kEvery))
        << "node " << node;
  }
}

TEST_F(ClusterTest, APatternChangedOnOneNodeDecidesOnTheOthersWithinASecond) {
  const std::string key = user_key(0, "dave");
  auto decision = [&](size_t node) {
    RawResponse r =
        call(node, "POST", "/api/claude/confirm/request", key, R"({"command":"frobnicate --all"})");
    return r.status == 200 ? std::string(json_of(r).at("decision").as_string()) : "";
  };
  ASSERT_NE(decision(1), "deny");
  ASSERT_EQ(status(0, "POST", "/api/claude/confirm/patterns", kAdminKey,
                   R"({"id":"deny-frob","name":"frob","match":"prefix","pattern":"frobnicate",)"
                   R"("decision":"deny","priority":50})"),
            201);
  for (size_t node : {1, 2}) {
    EXPECT_TRUE(eventually([&] { return decision(node) == "deny"; }, kWithin, kEvery))
        << "node " << node;
  }
}

TEST_F(ClusterTest, ANodeThatLostItsFeedReloadsEverythingWhenItReconnects) {
  uint64_t id = 0;
  const std::string key = user_key(0, "erin", &id);
  for (size_t node : {1, 2}) {
    ASSERT_TRUE(
        eventually([&] { return answers(node, "/api/v1/quota", key, 200); }, kSlowWait, kEvery));
  }
  // A revocation no node is told of (triggers off for this session): a missed notice.
  ASSERT_TRUE(
      run_sql("BEGIN; SET LOCAL session_replication_role = replica; "
              "UPDATE api_keys SET revoked_at_ms = 1 WHERE id = " +
              std::to_string(id) + "; COMMIT;"));
  EXPECT_EQ(status(1, "GET", "/api/v1/quota", key), 200) << "told without a notice";
  const auto connections = [&](size_t node) {
    const boost::json::object h = health(node);
    const boost::json::value* c = h.if_contains("cluster");
    return c ? c->at("feed").at("connections").to_number<int64_t>() : -1;
  };
  std::vector<int64_t> before;
  for (size_t node : {0, 1, 2}) before.push_back(connections(node));
  ASSERT_GE(before[1], 1);
  // Every node's feed connection is cut: each reconnects, and reads everything again.
  ASSERT_TRUE(
      run_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE application_name = 'gaia_change_feed' AND datname = current_database()"));
  for (size_t node : {0, 1, 2}) {
    EXPECT_TRUE(
        eventually([&] { return answers(node, "/api/v1/quota", key, 401); }, kSlowWait, kEvery))
        << "node " << node;
    EXPECT_GT(connections(node), before[node]);
  }
}

TEST_F(ClusterTest, EveryNodeShowsTheWholeClusterWithAdmissionsSummed) {
  const std::string key = user_key(0, "fay");
  ASSERT_TRUE(eventually([&] { return answers(2, "/api/v1/quota", key, 200); }, kSlowWait, kEvery));
  for (size_t node : {0, 1, 2, 2}) {
    EXPECT_EQ(status(node, "POST", "/api/v1/check", key, R"({"type":"test"})"), 200);
  }
  EXPECT_EQ(status(1, "GET", "/api/admin/cluster", ""), 401);
  boost::json::object seen;
  const bool summed = eventually(
      [&] {
        RawResponse r = call(1, "GET", "/api/admin/cluster", kAdminKey);
        if (r.status != 200) return false;
        seen = json_of(r).as_object();
        return seen.at("live_nodes").to_number<int64_t>() == 3 &&
               seen.at("admissions").to_number<int64_t>() == 4;
      },
      kSlowWait, std::chrono::milliseconds(100));
  ASSERT_TRUE(summed) << boost::json::serialize(seen);
  EXPECT_EQ(seen.at("clustered"), true);
  const boost::json::array& nodes = seen.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 3u);
  int selves = 0;
  for (const auto& n : nodes) {
    EXPECT_EQ(n.at("health"), "ok");
    EXPECT_EQ(n.at("live"), true);
    selves += n.at("self").as_bool() ? 1 : 0;
    const std::string address(n.at("address").as_string());
    EXPECT_NE(address.find("127.0.0.1:"), std::string::npos) << address;
  }
  EXPECT_EQ(selves, 1);
}

TEST_F(ClusterTest, AViolationOnOneNodeIsShownLiveOnAnotherNodesWebSocket) {
  const std::string key = user_key(0, "gus");
  ASSERT_EQ(status(0, "POST", "/api/admin/quotas/config", kAdminKey,
                   R"({"subject":{"kind":"global"},"command_type":"review",)"
                   R"("limits":[{"kind":"calendar","period":"day","amount":1}]})"),
            201);
  WsClient watcher;
  ASSERT_TRUE(watcher.connect(nodes_->port(1), {{"Authorization", "Bearer " + kAdminKey}}));
  const std::string check = R"({"type":"review"})";
  EXPECT_EQ(status(0, "POST", "/api/v1/check", key, check), 200);
  EXPECT_EQ(status(0, "POST", "/api/v1/check", key, check), 429);
  std::optional<boost::json::value> message;
  for (int i = 0; i < 20; ++i) {
    message = watcher.read();
    if (!message || message->at("type") == "violation") break;
  }
  ASSERT_TRUE(message) << watcher.error.message();
  ASSERT_EQ(message->at("type"), "violation") << boost::json::serialize(*message);
  const boost::json::object& data = message->at("data").as_object();
  EXPECT_EQ(data.at("user"), "gus");
  EXPECT_EQ(data.at("node").as_string().empty(), false) << "names the node it came from";
}

TEST_F(ClusterTest, AKeyRevokedOnOneNodeClosesItsWebSocketOnAnother) {
  ASSERT_EQ(status(0, "POST", "/api/admin/users", kAdminKey, R"({"name":"hal"})"), 201);
  RawResponse made = call(0, "POST", "/api/admin/users/hal/keys", kAdminKey, R"({"role":"admin"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const boost::json::value key = json_of(made);
  const std::string plain(key.at("key").as_string());
  ASSERT_TRUE(
      eventually([&] { return answers(2, "/api/admin/cluster", plain, 200); }, kSlowWait, kEvery));
  WsClient socket;
  ASSERT_TRUE(socket.connect(nodes_->port(2), {{"Authorization", "Bearer " + plain}}));
  ASSERT_EQ(
      status(0, "DELETE", "/api/admin/keys/" + std::to_string(key.at("id").to_number<uint64_t>()),
             kAdminKey),
      200);
  EXPECT_EQ(socket.read_close_code(), std::optional<uint16_t>(1008));
}

}  // namespace
}  // namespace gaia::testing
