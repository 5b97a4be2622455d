// What one user's traffic may cost everyone else, bounded: a refused command is stored as a
// capped prefix and hash, refusals are deleted after their retention, a flood of refusals
// costs storage in proportion to users x seconds and is still counted whole, a report's range
// cannot overflow its checks, and a flood of long refusals neither floods nor closes an
// admin's live feed, reports past the analytics pool are answered 503 while the rest serve.
// The real gaia_server on a temporary SQLite file.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/gaia_server_test.h"
#include "support/raw_http_client.h"
#include "support/ws_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "bounded-test-admin-key-0123456789abcdef012";
constexpr size_t kCommandCap = 1024;

class BoundedTest : public GaiaServerTest {
 protected:
  BoundedTest() : GaiaServerTest(kAdminKey) {}

  RawResponse call(std::string_view method, std::string_view path, std::string_view key,
                   std::string_view body = {}) {
    auto r = http_request(port_, method, path, key, body);
    EXPECT_TRUE(r) << method << " " << path << ": no answer";
    return r ? *r : RawResponse{};
  }
  // A key of a new user whose daily shell quota (500) is used up: each shell check after it
  // is refused, costing nothing.
  std::string user_key(const std::string& name) {
    std::string key = create_user_key(name, R"({"name":")" + name + R"("})", R"({"role":"user"})");
    EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell","cost":500})").status, 200);
    return key;
  }
  RawResponse refused_check(const std::string& key, const std::string& command) {
    return call("POST", "/api/v1/check", key, R"({"type":"shell","command":")" + command + R"("})");
  }
  // Runs `sql` on the server's database while it is stopped.
  void write_sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
};

TEST_F(BoundedTest, ARefusedLongCommandIsStoredAsACappedPrefixAndHash) {
  start();
  const std::string key = user_key("mallory");
  const std::string command = "echo " + std::string(60'000, 'z');
  EXPECT_EQ(refused_check(key, command).status, 429);
  stop();  // everything queued is written
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations"), 1);
  EXPECT_LE(count_rows("SELECT LENGTH(CAST(command AS BLOB)) FROM violations"),
            static_cast<int64_t>(kCommandCap));
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations WHERE command LIKE 'echo zzz%' AND "
                       "command LIKE '%[60005 bytes, sha256 %]'"),
            1);
}

TEST_F(BoundedTest, ViolationsPastTheirRetentionAreDeleted) {
  start();
  // Two users: two episodes, whatever second the refusals fall in.
  EXPECT_EQ(refused_check(user_key("mallory"), "old").status, 429);
  EXPECT_EQ(refused_check(user_key("trudy"), "new").status, 429);
  stop();
  write_sql(
      "UPDATE violations SET at_ms = at_ms - 3 * 86400000, first_ms = first_ms - 3 * 86400000, "
      "second = second - 3 * 86400 WHERE command = 'old'");
  start({"GAIA_VIOLATION_RETENTION_DAYS=2"});  // retention runs at start, then hourly
  stop();
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations WHERE command = 'old'"), 0);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations WHERE command = 'new'"), 1);
}

// Bytes of the server's database: the file and its write-ahead log, if any.
uint64_t database_bytes(const std::string& path) {
  uint64_t bytes = 0;
  for (const std::string& p : {path, path + "-wal"}) {
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(p, ec);
    if (!ec) bytes += size;
  }
  return bytes;
}

// Sends refused checks for `keys`, one keep-alive connection each, `window` requests in flight
// per connection, until `duration` has passed; the 429 answers it got.
uint64_t flood(uint16_t port, const std::vector<std::string>& keys,
               std::chrono::milliseconds duration) {
  constexpr int kWindow = 16;
  const std::string body = R"({"type":"shell","command":"make flood"})";
  std::vector<std::unique_ptr<RawHttpConnection>> connections;
  std::vector<std::string> requests;
  for (const std::string& key : keys) {
    connections.push_back(std::make_unique<RawHttpConnection>(port));
    std::string one =
        "POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    std::string burst;
    for (int i = 0; i < kWindow; ++i) burst += one;
    requests.push_back(std::move(burst));
  }
  uint64_t refused = 0;
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    for (size_t c = 0; c < connections.size(); ++c) {
      if (!connections[c]->send(requests[c])) return refused;
    }
    for (auto& connection : connections) {
      for (int i = 0; i < kWindow; ++i) {
        auto r = connection->read_response();
        if (!r) return refused;
        refused += r->status == 429;
      }
    }
  }
  return refused;
}

// The refusals a report's rows count.
uint64_t refused_in(const RawResponse& report) {
  const boost::json::value v = boost::json::parse(report.body);
  uint64_t n = 0;
  for (const auto& row : v.at("rows").as_array()) n += row.at("count").to_number<uint64_t>();
  return n;
}

// The flood is bounded in time (about two seconds), so the bound is too: every user's
// refusals of one second are one row (an episode), and a row with its index entries takes
// well under 2 KiB; a flood stored one row per refusal (about 170 bytes of row alone) grows
// the file by megabytes.
TEST_F(BoundedTest, AFloodOfRefusalsGrowsTheDatabaseByUsersTimesSecondsAndIsCountedWhole) {
  constexpr size_t kUsers = 20;
  start();
  std::vector<std::string> keys;
  for (size_t i = 0; i < kUsers; ++i) keys.push_back(user_key("flooder" + std::to_string(i)));
  stop();  // the users are written, the log checkpointed: the size before
  const uint64_t before = database_bytes(db_path());

  start();
  const auto started = std::chrono::steady_clock::now();
  const uint64_t sent = flood(port_, keys, std::chrono::milliseconds(2000));
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count() +
      2;   // a partial second at each end
  stop();  // everything queued is written, the aggregates too
  ASSERT_GT(sent, 2'000u) << "too few refusals to tell rows from episodes";

  const uint64_t growth = database_bytes(db_path()) - before;
  RecordProperty("refusals", std::to_string(sent));
  RecordProperty("growth_bytes", std::to_string(growth));
  RecordProperty("episodes", std::to_string(count_rows("SELECT COUNT(*) FROM violations")));
  const uint64_t bound = kUsers * static_cast<uint64_t>(seconds) * 2048 + 256 * 1024;
  EXPECT_LT(growth, bound) << sent << " refusals in about " << seconds << " s";
  EXPECT_LE(count_rows("SELECT COUNT(*) FROM violations"), static_cast<int64_t>(kUsers) * seconds);
  EXPECT_EQ(count_rows("SELECT SUM(count) FROM violations"), static_cast<int64_t>(sent));

  start();
  // The listing: every episode, its count summed.
  uint64_t listed = 0;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    RawResponse r = call("GET", "/api/admin/quotas/violations?limit=1000" + cursor, kAdminKey);
    ASSERT_EQ(r.status, 200) << r.body;
    const boost::json::value v = boost::json::parse(r.body);
    for (const auto& e : v.at("violations").as_array())
      listed += e.at("count").to_number<uint64_t>();
    if (v.at("next_before").is_null()) break;
    cursor = "&before=" + std::to_string(v.at("next_before").to_number<uint64_t>());
  }
  EXPECT_EQ(listed, sent);
  // The analytics: refusals counted, not rows.
  RawResponse report = call(
      "GET", "/api/admin/quotas/analytics?outcome=refused&bucket=day&metrics=count", kAdminKey);
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(refused_in(report), sent);
  // A rebuild from the stored episodes counts the same.
  RawResponse rebuilt = call("POST", "/api/admin/analytics/rebuild", kAdminKey, "{}");
  ASSERT_EQ(rebuilt.status, 200) << rebuilt.body;
  EXPECT_EQ(boost::json::parse(rebuilt.body).at("violations").to_number<uint64_t>(), sent);
  report = call("GET", "/api/admin/quotas/analytics?outcome=refused&bucket=day&metrics=count",
                kAdminKey);
  EXPECT_EQ(refused_in(report), sent);
  // The repeat-violator detector: every user, their refusals summed.
  RawResponse violators = call("GET", "/api/admin/analytics/violators", kAdminKey);
  ASSERT_EQ(violators.status, 200) << violators.body;
  const boost::json::value found = boost::json::parse(violators.body);
  const boost::json::array& items = found.at("items").as_array();
  EXPECT_EQ(items.size(), kUsers);
  double flagged = 0;
  for (const auto& item : items) flagged += item.at("value").to_number<double>();
  EXPECT_EQ(static_cast<uint64_t>(flagged), sent);
}

TEST_F(BoundedTest, AReportRangeThatWouldOverflowIsRefusedNamingTheParameter) {
  start();
  for (const char* query : {"to=9223372036854775807", "from=0&to=9223372036854775807",
                            "from=0&to=9223372036854775807&bucket=minute"}) {
    RawResponse r = call("GET", std::string("/api/admin/quotas/analytics?") + query, kAdminKey);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(boost::json::parse(r.body).at("field"), "to") << query;
  }
  for (const char* path : {"/api/admin/analytics/trend?to=9223372036854775807",
                           "/api/admin/analytics/top?from=9223372036854775000"}) {
    RawResponse r = call("GET", path, kAdminKey);
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
  }
  // Every time parameter of every route, before anything adds to it or steps a calendar.
  for (const auto& [path, field] : std::initializer_list<std::pair<const char*, const char*>>{
           {"/api/admin/analytics/spikes?hour=9223372036854775807", "hour"},
           {"/api/admin/analytics/violators?from=0&to=9223372036854775807", "to"},
           {"/api/admin/quotas/violations?to=9223372036854775807", "to"},
           {"/api/admin/quotas/violations?from=253402300800000", "from"},
           {"/api/admin/quotas/violations?format=csv&to=9223372036854775807", "to"}}) {
    RawResponse r = call("GET", path, kAdminKey);
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    if (r.status == 400) {
      EXPECT_EQ(boost::json::parse(r.body).at("field"), field) << path;
    }
  }
}

// A client that sends `request` and then reads nothing, from a small receive buffer: the
// server's answer stalls once the socket buffers are full.
class StalledReader {
 public:
  StalledReader(uint16_t port, const std::string& request) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int small = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sent_ = fd_ >= 0 &&
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
            ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(request.size());
  }
  ~StalledReader() { ::close(fd_); }
  StalledReader(const StalledReader&) = delete;
  StalledReader& operator=(const StalledReader&) = delete;

  // The answer's status, from its first 12 bytes ("HTTP/1.1 200"), read within 10 s; 0 when
  // the request was not sent or no status came.
  int status() {
    if (!sent_) return 0;
    const timeval patience{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    char head[12];
    size_t got = 0;
    while (got < sizeof head) {
      const ssize_t n = ::recv(fd_, head + got, sizeof head - got, 0);
      if (n <= 0) return 0;
      got += static_cast<size_t>(n);
    }
    return std::atoi(std::string(head + 9, 3).c_str());
  }

 private:
  int fd_ = -1;
  bool sent_ = false;
};

TEST_F(BoundedTest, ReportsPastTheAnalyticsPoolAreAnswered503WithRetryAfterWhileTheRestServe) {
  const std::vector<std::string> one_report = {"GAIA_HTTP_ANALYTICS_THREADS=1",
                                               "GAIA_HTTP_ANALYTICS_QUEUE=0"};
  start(one_report);
  stop();
  // A day of minutes for 80 keys: a report of about 9 MB, more than the sockets hold.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t first_ms = (now_ms - 86'400'000) / 60'000 * 60'000;
  write_sql(
      "WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 1439), "
      "k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 80) "
      "INSERT INTO analytics_aggregates (granularity, bucket_start_ms, user_id, key_id, type, "
      "outcome, limit_name, count, cost, duration_ms_sum, duration_ms_max, cpu_ms_sum, "
      "cpu_ms_max, peak_memory_max, duration_sketch, cpu_sketch, memory_sketch) "
      "SELECT 0, " +
      std::to_string(first_ms) +
      " + i * 60000, 1, j, 'shell', 'admitted', '', 1, 1, 0, 0, 0, 0, 0, x'', x'', x'' "
      "FROM m, k");
  start(one_report);

  // The report holds the one analytics thread from its 200 status line to its last row.
  StalledReader report(port_, "GET /api/admin/quotas/analytics?bucket=minute&group_by=key&from=" +
                                  std::to_string(first_ms) +
                                  " HTTP/1.1\r\nHost: gaia\r\nAuthorization: Bearer " + kAdminKey +
                                  "\r\n\r\n");
  ASSERT_EQ(report.status(), 200);
  RawResponse busy = call("GET", "/api/admin/analytics/trend", kAdminKey);
  ASSERT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(busy.headers["retry-after"], "1");
  EXPECT_EQ(boost::json::parse(busy.body).at("error"), "busy") << busy.body;
  // Everything else is answered meanwhile.
  EXPECT_EQ(call("GET", "/api/admin/users", kAdminKey).status, 200);
  EXPECT_EQ(call("POST", "/api/v1/check", kAdminKey, R"({"type":"shell"})").status, 200);
  EXPECT_EQ(call("GET", "/api/admin/analytics/trend", kAdminKey).status, 503);
}

TEST_F(BoundedTest, AFloodOfLongRefusalsNeitherFloodsNorClosesASlowAdminFeed) {
  start();
  const std::string key = user_key("mallory");
  WsClient admin;
  ASSERT_TRUE(admin.connect(port_, {{"Authorization", "Bearer " + kAdminKey}}));
  auto hello = admin.read();
  ASSERT_TRUE(hello && hello->at("type") == "hello");
  const std::string command = "x" + std::string(60'000, 'y');
  std::map<std::string, int> seen;
  uint64_t folded = 0;
  auto take = [&](const boost::json::value& m) {
    const std::string type(m.at("type").as_string());
    ++seen[type];
    if (type == "violation") {
      EXPECT_LE(m.at("data").at("command").as_string().size(), kCommandCap);
    }
    if (type == "folded") {
      if (const auto* n = m.at("data").at("counts").as_object().if_contains("violation")) {
        folded += n->to_number<uint64_t>();
      }
    }
  };
  // The admin reads one message for every 25 refusals: far slower than the refusals come.
  constexpr int kRefusals = 1500;
  for (int i = 1; i <= kRefusals; ++i) {
    ASSERT_EQ(refused_check(key, command).status, 429);
    if (i % 25 == 0) {
      auto m = admin.read();
      ASSERT_TRUE(m) << "the feed closed after " << i << " refusals: " << admin.error.message();
      take(*m);
    }
  }
  // Whatever was folded is summed up: before the next event, or with the stats.
  for (int i = 0; i < 200 && seen["violation"] + folded < kRefusals; ++i) {
    auto m = admin.read();
    ASSERT_TRUE(m) << admin.error.message();
    take(*m);
  }
  EXPECT_EQ(seen["violation"] + folded, static_cast<uint64_t>(kRefusals));
  EXPECT_GT(folded, 0u);
  auto health = call("GET", "/api/ws/health", kAdminKey);
  ASSERT_EQ(health.status, 200);
  const boost::json::value h = boost::json::parse(health.body);
  EXPECT_EQ(h.at("closed_slow").to_number<uint64_t>(), 0u);
  EXPECT_EQ(h.at("clients").to_number<uint64_t>(), 1u);
  EXPECT_EQ(h.at("folded").to_number<uint64_t>(), folded);
}

}  // namespace
}  // namespace gaia::testing
