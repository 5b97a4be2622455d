// The real gaia_server losing its database in the middle of a recording load: PostgreSQL
// stopped and started again, and a SQLite file another process holds locked. Every execution
// answered 2xx must be stored exactly once, and quota usage counted exactly once.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/postgres_cluster.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "integration-admin-key-0123456789abcdef";
// Longer than SQLite's busy timeout: the first write after the file is locked waits it out.
constexpr auto kClientTimeout = std::chrono::seconds(30);
constexpr auto kWaitLimit = std::chrono::seconds(60);

std::optional<RawResponse> call(uint16_t port, std::string_view method, std::string_view path,
                                std::string_view key, std::string_view body = {}) {
  std::string req = std::string(method) + " " + std::string(path) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!key.empty()) req += "Authorization: Bearer " + std::string(key) + "\r\n";
  req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
  RawHttpConnection c(port, kClientTimeout);
  if (!c.connected() || !c.send(req)) return std::nullopt;
  return c.read_response();
}

// Waits, within kWaitLimit, until `done` holds; false if it never did.
bool eventually(const std::function<bool()>& done) {
  return testing::eventually(done, kWaitLimit, std::chrono::milliseconds(50));
}

// Clients posting executions with fresh ids and checks, remembering what was acknowledged.
class Load {
 public:
  Load(uint16_t port, std::string key) : port_(port), key_(std::move(key)) {
    for (int t = 0; t < 3; ++t) threads_.emplace_back([this, t] { run(t); });
  }
  ~Load() { stop(); }
  void stop() {
    stopping_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  size_t acknowledged() {
    std::lock_guard lock(mu_);
    return acknowledged_.size();
  }
  std::set<std::string> acknowledged_ids() {
    std::lock_guard lock(mu_);
    return acknowledged_;
  }
  uint64_t admitted_checks() const { return admitted_checks_; }

 private:
  void run(int thread) {
    for (int n = 0; !stopping_; ++n) {
      std::string id = "t" + std::to_string(thread) + "-" + std::to_string(n);
      auto r = call(port_, "POST", "/api/v1/executions", key_,
                    R"({"id":")" + id +
                        R"(","type":"test","command":"make check",)"
                        R"("duration_ms":5,"cpu_ms":1,"peak_memory_bytes":1024,"exit_code":0})");
      if (r && (r->status == 200 || r->status == 201)) {
        std::lock_guard lock(mu_);
        acknowledged_.insert(id);
      }
      auto c = call(port_, "POST", "/api/v1/check", key_, R"({"type":"test"})");
      if (c && c->status == 200) ++admitted_checks_;
    }
  }

  const uint16_t port_;
  const std::string key_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> admitted_checks_{0};
  std::mutex mu_;
  std::set<std::string> acknowledged_;
  std::vector<std::thread> threads_;
};

class StoreOutageTest : public GaiaServerTest {
 protected:
  StoreOutageTest() : GaiaServerTest(kAdminKey) {}
  void start(const std::string& database_url) {
    GaiaServerTest::start({"GAIA_DATA_DIR=" + dir_.file("data")}, {}, database_url);
  }
  std::string user_key() {
    auto created = call(port_, "POST", "/api/admin/users", kAdminKey, R"({"name":"loader"})");
    EXPECT_TRUE(created && created->status == 201);
    auto key = call(port_, "POST", "/api/admin/users/loader/keys", kAdminKey, R"({})");
    EXPECT_TRUE(key && key->status == 201);
    return std::string(boost::json::parse(key->body).at("key").as_string());
  }
  boost::json::object health() {
    auto r = call(port_, "GET", "/api/admin/health", kAdminKey);
    if (!r || r->status != 200) return {};
    return boost::json::parse(r->body).as_object();
  }
  bool degraded_and_journaling() {
    boost::json::object h = health();
    return h["status"] == "degraded" && h["store"].as_object()["state"] == "journaling" &&
           h["store"].as_object()["journal_bytes"].to_number<int64_t>() > 0;
  }
  bool healthy_and_replayed() {
    boost::json::object h = health();
    return h["status"] == "ok" && h["store"].as_object()["journal_records"] == 0;
  }
};

TEST_F(StoreOutageTest, PostgresStoppedMidLoadLosesNoAcknowledgedExecution) {
  std::string error;
  auto cluster = PostgresCluster::create(error);  // its own: this test stops it
  ASSERT_TRUE(cluster) << error;
  const std::string url = cluster->create_database();
  start(url);
  Load load(port_, user_key());
  ASSERT_TRUE(eventually([&] { return load.acknowledged() >= 30; }));

  cluster->stop();
  const size_t before_outage = load.acknowledged();
  ASSERT_TRUE(eventually([&] { return degraded_and_journaling(); }))
      << boost::json::serialize(health());
  // Not ready while the database is away: a load balancer sends the work elsewhere.
  auto ready = call(port_, "GET", "/ready", "");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find(R"("store")"), std::string::npos) << ready->body;
  ASSERT_TRUE(eventually([&] { return load.acknowledged() >= before_outage + 30; }));

  ASSERT_TRUE(cluster->start());
  ASSERT_TRUE(eventually([&] { return healthy_and_replayed(); }))
      << boost::json::serialize(health());
  EXPECT_TRUE(eventually([&] {
    auto r = call(port_, "GET", "/ready", "");
    return r && r->status == 200;
  }));
  const size_t after_outage = load.acknowledged();
  ASSERT_TRUE(eventually([&] { return load.acknowledged() >= after_outage + 30; }));
  load.stop();
  stop();

  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* rows = PQexec(conn, "SELECT id FROM executions");
  ASSERT_EQ(PQresultStatus(rows), PGRES_TUPLES_OK) << PQerrorMessage(conn);
  std::multiset<std::string> stored;
  for (int i = 0; i < PQntuples(rows); ++i) stored.insert(PQgetvalue(rows, i, 0));
  PQclear(rows);
  for (const std::string& id : load.acknowledged_ids()) {
    EXPECT_EQ(stored.count(id), 1u) << id;
  }
  PGresult* used =
      PQexec(conn, "SELECT COALESCE(SUM(used), 0) FROM quota_usage WHERE type = 'test'");
  ASSERT_EQ(PQresultStatus(used), PGRES_TUPLES_OK);
  EXPECT_EQ(std::stoull(PQgetvalue(used, 0, 0)), load.admitted_checks());
  PQclear(used);
  PQfinish(conn);
}

TEST_F(StoreOutageTest, SqliteFileLockedByAnotherProcessLosesNoAcknowledgedExecution) {
  const std::string path = dir_.file("gaia.db");
  start("sqlite:" + path);
  Load load(port_, user_key());
  ASSERT_TRUE(eventually([&] { return load.acknowledged() >= 30; }));

  // Another connection takes the write lock and keeps it.
  sqlite3* locker = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &locker), SQLITE_OK);
  sqlite3_busy_timeout(locker, 10'000);
  ASSERT_EQ(sqlite3_exec(locker, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const size_t before_lock = load.acknowledged();
  ASSERT_TRUE(eventually([&] { return degraded_and_journaling(); }))
      << boost::json::serialize(health());
  ASSERT_TRUE(eventually([&] { return load.acknowledged() >= before_lock + 30; }));

  sqlite3_exec(locker, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(locker);
  ASSERT_TRUE(eventually([&] { return healthy_and_replayed(); }))
      << boost::json::serialize(health());
  load.stop();
  stop();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::multiset<std::string> stored;
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT id FROM executions", -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    stored.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  for (const std::string& id : load.acknowledged_ids()) {
    EXPECT_EQ(stored.count(id), 1u) << id;
  }
  sqlite3_prepare_v2(db, "SELECT COALESCE(SUM(used), 0) FROM quota_usage WHERE type = 'test'", -1,
                     &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(static_cast<uint64_t>(sqlite3_column_int64(stmt, 0)), load.admitted_checks());
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(StoreOutageTest, UnreachableDatabaseAtStartIsRetriedThenGivenUp) {
  ServerProcess server(
      {}, {"DATABASE_URL=postgresql://postgres@127.0.0.1:1/none", "GAIA_STORE_CONNECT_RETRY_S=1",
           "PORT=0", "GAIA_DATA_DIR=" + dir_.file("data")});
  EXPECT_EQ(server.wait_exit(), 1);
  EXPECT_NE(server.stderr_.find("cannot connect to PostgreSQL"), std::string::npos)
      << server.stderr_;
  EXPECT_NE(server.stderr_.find("retrying in"), std::string::npos) << server.stderr_;
  EXPECT_NE(server.stderr_.find("GAIA_STORE_CONNECT_RETRY_S"), std::string::npos) << server.stderr_;
}

}  // namespace
}  // namespace gaia::testing
