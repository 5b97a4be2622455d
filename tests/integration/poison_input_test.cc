// Input no user can poison Gaia with, through the real gaia_server on both stores: every text
// field from outside (JSON bodies at any depth, path and query parameters) is valid UTF-8
// without NUL or refused 400 naming the field, with nothing stored and every other write
// going on; outside values in log lines are escaped; the server's files are private from the
// first byte; no secret in a URL reaches /health or the log; a long refused command is kept
// capped, and refusals past their retention are deleted.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/postgres_cluster.h"
#include "support/raw_http_client.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "poison-input-integration-admin-key-0123";
constexpr std::chrono::milliseconds kPatience{20'000};
constexpr std::chrono::milliseconds kPoll{20};

enum class Backend { kSqlite, kPostgres };

class PoisonInputTest : public GaiaServerTest, public ::testing::WithParamInterface<Backend> {
 protected:
  PoisonInputTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) url_ = shared_postgres().create_database();
    start({}, {}, url_);
  }
  // Runs `sql` on the server's database from a connection of its own, as an operator would.
  void sql(const std::string& text) {
    if (GetParam() == Backend::kSqlite) {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
      char* error = nullptr;
      EXPECT_EQ(sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
      sqlite3_free(error);
      sqlite3_close(db);
      return;
    }
    PGconn* conn = PQconnectdb(url_.c_str());
    PGresult* r = PQexec(conn, text.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(conn);
  }
  // Makes the database refuse every confirmation decision, execution and violation whose
  // command holds "poison", as a database refuses content it cannot keep.
  void refuse_poison() {
    for (const char* name : {"confirm_decisions", "executions", "violations"}) {
      const std::string table = name;
      if (GetParam() == Backend::kSqlite) {
        sql("CREATE TRIGGER refuse_" + table + " BEFORE INSERT ON " + table +
            " WHEN NEW.command LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poison refused'); END");
      } else {
        if (table == "confirm_decisions") {
          sql("CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
              "IF NEW.command LIKE '%poison%' THEN RAISE EXCEPTION 'poison refused: %', "
              "NEW.command; END IF; RETURN NEW; END $$");
        }
        sql("CREATE TRIGGER refuse_" + table + " BEFORE INSERT ON " + table +
            " FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
      }
    }
  }
  std::string url_;  // the PostgreSQL database, for Backend::kPostgres
  void TearDown() override { stop(); }

  std::optional<RawResponse> call(const std::string& method, const std::string& path,
                                  const std::string& key, const std::string& body = "") {
    return http_request(port_, method, path, key, body);
  }
  // Expects 400 naming `field`.
  void expect_refused(const std::string& method, const std::string& path, const std::string& key,
                      const std::string& body, const std::string& field) {
    auto r = call(method, path, key, body);
    ASSERT_TRUE(r) << method << ' ' << path;
    EXPECT_EQ(r->status, 400) << method << ' ' << path << ": " << r->body;
    if (r->status == 400) {
      EXPECT_EQ(std::string(boost::json::parse(r->body).at("field").as_string()), field)
          << path << ": " << r->body;
    }
  }
  boost::json::object health() {
    auto r = call("GET", "/api/admin/health", kAdminKey);
    EXPECT_TRUE(r && r->status == 200);
    return r ? boost::json::parse(r->body).as_object() : boost::json::object();
  }
};

TEST_P(PoisonInputTest, EveryTextFieldWithANulOrBadUtf8IsRefusedNamingItAndTheRestIsStored) {
  const std::string key = create_user_key("alice", R"({"name":"alice"})", R"({"role":"user"})");
  ASSERT_FALSE(key.empty());
  const std::string nul = R"(x\u0000y)";

  expect_refused("POST", "/api/v1/check", key, R"({"type":"shell","command":")" + nul + R"("})",
                 "command");
  expect_refused("POST", "/api/v1/executions", key,
                 R"({"id":"e1","type":"shell","command":")" + nul +
                     R"(","duration_ms":1,"cpu_ms":1,"peak_memory_bytes":1,"exit_code":0})",
                 "command");
  expect_refused("POST", "/api/v1/executions", key,
                 R"({"id":")" + nul +
                     R"(","type":"shell","command":"make","duration_ms":1,)"
                     R"("cpu_ms":1,"peak_memory_bytes":1,"exit_code":0})",
                 "id");
  expect_refused("POST", "/api/v1/exec", key,
                 R"({"type":"shell","argv":["echo",")" + nul + R"("]})", "argv[1]");
  expect_refused("POST", "/api/v1/exec", key,
                 R"({"type":"shell","argv":["echo"],"env":{"A":")" + nul + R"("}})", "env.A");
  expect_refused("POST", "/api/claude/confirm/request", key,
                 R"({"command":")" + nul + R"(","cwd":"/tmp"})", "command");
  expect_refused("POST", "/api/admin/users", kAdminKey, R"({"name":")" + nul + R"("})", "name");
  expect_refused("POST", "/api/admin/alerts/rules", kAdminKey,
                 R"({"name":")" + nul + R"(","metric":"cpu_pct","condition":">","threshold":1})",
                 "name");
  expect_refused("POST", "/api/admin/quotas/config", kAdminKey,
                 R"({"name":")" + nul + R"(","subject":{"kind":"global"},"limits":[]})", "name");
  expect_refused("POST", "/api/claude/confirm/patterns", kAdminKey,
                 R"({"id":"p","kind":"glob","pattern":")" + nul + R"(","decision":"deny"})",
                 "pattern");
  expect_refused("GET", "/api/admin/quotas/violations?user=a%00b", kAdminKey, "", "user");
  expect_refused("GET", "/api/admin/quotas/usage?user=%ff", kAdminKey, "", "user");
  expect_refused("PUT", "/api/admin/users/al%00ice", kAdminKey, R"({"tier":"premium"})", "name");

  // Nothing was stored, and everything else still is.
  auto users = call("GET", "/api/admin/users", kAdminKey);
  ASSERT_TRUE(users && users->status == 200);
  EXPECT_EQ(users->body.find("x\\u0000y"), std::string::npos);
  auto check = call("POST", "/api/v1/check", key, R"({"type":"shell","command":"ls"})");
  ASSERT_TRUE(check);
  EXPECT_EQ(check->status, 200) << check->body;
  auto recorded = call("POST", "/api/v1/executions", key,
                       R"({"id":"e2","type":"shell","command":"make","duration_ms":1,)"
                       R"("cpu_ms":1,"peak_memory_bytes":1,"exit_code":0})");
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->status, 201) << recorded->body;
  ASSERT_TRUE(eventually(
      [&] {
        boost::json::object h = health();
        return h["status"] == "ok" && h["store"].as_object()["queued_writes"] == 0;
      },
      kPatience, kPoll));
}

TEST_P(PoisonInputTest, ARowTheDatabaseRefusesIsSetAsideForAdminsAndBlocksNothing) {
  const std::string key = create_user_key("alice", R"({"name":"alice"})", R"({"role":"user"})");
  ASSERT_FALSE(key.empty());
  refuse_poison();
  const auto confirm = [&](const std::string& command) {
    auto r = call("POST", "/api/claude/confirm/request", key,
                  R"({"command":")" + command + R"(","cwd":"/tmp"})");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "");
  };
  const auto report = [&](const std::string& id, const std::string& command) {
    return call("POST", "/api/v1/executions", key,
                R"({"id":")" + id + R"(","type":"shell","command":")" + command +
                    R"(","duration_ms":1,"cpu_ms":1,"peak_memory_bytes":1,"exit_code":0})");
  };
  const auto exec = [&](const std::string& arg) {
    auto r =
        call("POST", "/api/v1/exec", key, R"({"type":"shell","argv":["echo",")" + arg + R"("]})");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "");
    return r ? r->body : "";
  };
  // One shell check an hour each: a second check is refused and kept as a violation.
  const std::string limit = R"({"limits":[{"kind":"rate","amount":1,"window_ms":3600000}]})";
  const std::string bob = create_user_key("bob", R"({"name":"bob"})", limit);
  const std::string carol = create_user_key("carol", R"({"name":"carol"})", limit);
  const auto check = [&](const std::string& k, const std::string& command) {
    auto r = call("POST", "/api/v1/check", k, R"({"type":"shell","command":")" + command + R"("})");
    return r ? r->status : 0;
  };

  confirm("ls poison-secret");
  confirm("ls");
  auto refused = report("e1", "make poison-secret");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422) << refused->body;
  auto stored = report("e2", "make");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, 201) << stored->body;
  EXPECT_NE(exec("poison-secret").find(R"("recorded":false)"), std::string::npos);
  EXPECT_NE(exec("fine").find(R"("recorded":true)"), std::string::npos);
  EXPECT_EQ(check(bob, "ls"), 200);
  EXPECT_EQ(check(bob, "ls poison-secret"), 429);
  EXPECT_EQ(check(carol, "ls"), 200);
  EXPECT_EQ(check(carol, "make"), 429);

  boost::json::array letters;
  ASSERT_TRUE(eventually(
      [&] {
        auto r = call("GET", "/api/admin/dead-letters", kAdminKey);
        if (!r || r->status != 200) return false;
        letters = boost::json::parse(r->body).at("dead_letters").as_array();
        return letters.size() == 4;
      },
      kPatience, kPoll));
  for (const auto& letter : letters) {
    EXPECT_NE(letter.at("row").as_string().find("poison-secret"), std::string::npos);
  }
  auto decisions = call("GET", "/api/claude/confirm/decisions", kAdminKey);
  ASSERT_TRUE(decisions && decisions->status == 200);
  EXPECT_EQ(decisions->body.find("poison-secret"), std::string::npos);
  EXPECT_NE(decisions->body.find(R"("command":"ls")"), std::string::npos) << decisions->body;
  auto again = report("e3", "make");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201) << again->body;
  ASSERT_TRUE(eventually(
      [&] {
        auto v = call("GET", "/api/admin/quotas/violations", kAdminKey);
        return v && v->status == 200 && v->body.find(R"("command":"make")") != std::string::npos;
      },
      kPatience, kPoll));
  auto violations = call("GET", "/api/admin/quotas/violations", kAdminKey);
  ASSERT_TRUE(violations);
  EXPECT_EQ(violations->body.find("poison-secret"), std::string::npos) << violations->body;

  // Nothing of it reaches the health routes or the log; /metrics counts it.
  for (const char* path : {"/health", "/ready"}) {
    auto open = call("GET", path, "");
    ASSERT_TRUE(open && open->status == 200) << path;
    EXPECT_EQ(open->body.find("poison"), std::string::npos) << path << ": " << open->body;
  }
  auto h = call("GET", "/api/admin/health", kAdminKey);
  ASSERT_TRUE(h && h->status == 200);
  EXPECT_EQ(h->body.find("poison"), std::string::npos) << h->body;
  EXPECT_EQ(boost::json::parse(h->body).at("status"), "ok") << h->body;
  EXPECT_EQ(boost::json::parse(h->body).at("store").at("dead_letters"), 4) << h->body;
  auto metrics = call("GET", "/metrics", kAdminKey);
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("gaia_store_dead_letters 4"), std::string::npos);
}

TEST_P(PoisonInputTest, ALongRefusedCommandIsKeptCappedAndRefusalsPastTheirRetentionAreDeleted) {
  // Each has its shell check of the hour; the next is refused and kept as a violation.
  const std::string limit = R"({"limits":[{"kind":"rate","amount":1,"window_ms":3600000}]})";
  const std::string mallory = create_user_key("mallory", R"({"name":"mallory"})", limit);
  const std::string trudy = create_user_key("trudy", R"({"name":"trudy"})", limit);
  const auto refuse = [&](const std::string& key, const std::string& command) {
    auto first = call("POST", "/api/v1/check", key, R"({"type":"shell"})");
    EXPECT_TRUE(first && first->status == 200) << (first ? first->body : "no answer");
    auto r =
        call("POST", "/api/v1/check", key, R"({"type":"shell","command":")" + command + R"("})");
    EXPECT_TRUE(r && r->status == 429) << (r ? r->body : "");
  };
  refuse(mallory, "echo " + std::string(60'000, 'z'));
  refuse(trudy, "new");
  stop();  // everything queued is written
  sql("UPDATE violations SET at_ms = at_ms - 3 * 86400000, first_ms = first_ms - 3 * 86400000, "
      "second = second - 3 * 86400 WHERE command LIKE 'echo zzz%'");
  start({"GAIA_VIOLATION_RETENTION_DAYS=4"}, {}, url_);
  auto listed = call("GET", "/api/admin/quotas/violations", kAdminKey);
  ASSERT_TRUE(listed && listed->status == 200);
  std::string capped;
  const boost::json::value violations = boost::json::parse(listed->body);
  for (const auto& v : violations.at("violations").as_array()) {
    const std::string command(v.at("command").as_string());
    if (command.starts_with("echo zzz")) capped = command;
  }
  EXPECT_LE(capped.size(), 1024u);
  EXPECT_NE(capped.find("[60005 bytes, sha256 "), std::string::npos) << capped;

  stop();
  start({"GAIA_VIOLATION_RETENTION_DAYS=2"}, {}, url_);  // retention runs at start, then hourly
  ASSERT_TRUE(eventually(
      [&] {
        auto r = call("GET", "/api/admin/quotas/violations", kAdminKey);
        return r && r->status == 200 && r->body.find("echo zzz") == std::string::npos;
      },
      kPatience, kPoll));
  auto kept = call("GET", "/api/admin/quotas/violations", kAdminKey);
  ASSERT_TRUE(kept);
  EXPECT_NE(kept->body.find(R"("command":"new")"), std::string::npos) << kept->body;
}

const auto* const kPostgres = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

INSTANTIATE_TEST_SUITE_P(Stores, PoisonInputTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

class ServerHygieneTest : public GaiaServerTest {
 protected:
  ServerHygieneTest() : GaiaServerTest(kAdminKey) {}

  // Starts the server with `env` over the usual, expecting it to stop: its exit code, and its
  // error output in `err`.
  int start_failing(const std::vector<std::string>& env, std::string& err) {
    std::vector<std::string> all = env;
    for (const std::string& usual : std::vector<std::string>{
             "DATABASE_URL=sqlite:" + db_path(), "GAIA_ADMIN_KEY=" + admin_key_, "PORT=0"}) {
      const std::string name = usual.substr(0, usual.find('=') + 1);
      if (std::none_of(env.begin(), env.end(), [&](const auto& e) { return e.starts_with(name); }))
        all.push_back(usual);
    }
    add_idle_proc_root(all, dir_);
    ServerProcess server({}, all);
    const int code = server.wait_exit();
    err = server.stderr_;
    return code;
  }
};

TEST_F(ServerHygieneTest, ARuleNameThatForgesALineIsLoggedAsOneEscapedLine) {
  start({"GAIA_ALERT_INTERVAL_S=1"});
  auto made =
      http_request(port_, "POST", "/api/admin/alerts/rules", kAdminKey,
                   R"({"name":"Up\n[INFO] Shutting down\u001b[31m","metric":"store_healthy",)"
                   R"("condition":">=","threshold":1,"severity":"info","channels":["log"]})");
  ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "");
  auto line = server_->read_line_starting("[ALERT] firing info \"Up");
  ASSERT_TRUE(line) << server_->stdout_;
  EXPECT_NE(line->find(R"(Up\n[INFO] Shutting down\x1b[31m")"), std::string::npos) << *line;
  EXPECT_EQ(server_->stdout_.find("\n[INFO] Shutting down"), std::string::npos);
  EXPECT_EQ(server_->stdout_.find('\x1b'), std::string::npos);
  stop();
}

TEST_F(ServerHygieneTest, AConfigurationValueThatForgesALineIsShownAsOneEscapedLine) {
  std::string err;
  EXPECT_EQ(start_failing({"GAIA_LOG_LEVEL=info\n[INFO] Shutting down\x1b[31m"}, err), 2);
  EXPECT_NE(err.find(R"(info\n[INFO] Shutting down\x1b[31m")"), std::string::npos) << err;
  EXPECT_EQ(err.find("\n[INFO] Shutting down"), std::string::npos) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

TEST_F(ServerHygieneTest, EveryFileTheServerMakesIsPrivateInAPrivateDirectory) {
  const std::string data = dir_.file("data");
  const std::string db = dir_.file("data/db/gaia.db");
  const std::string access_log = dir_.file("access.log");
  start({"GAIA_DATA_DIR=" + data, "GAIA_ACCESS_LOG=" + access_log}, {}, "sqlite:" + db);
  // A write, so the WAL and its index exist.
  ASSERT_FALSE(create_user_key("bob", R"({"name":"bob"})").empty());
  for (const std::string& dir : {data, dir_.file("data/db"), dir_.file("data/journal")}) {
    EXPECT_EQ(mode_of(dir), 0700u) << dir;
  }
  for (const std::string& file : {db, db + "-wal", db + "-shm", data + "/key.secret", access_log}) {
    EXPECT_EQ(mode_of(file), 0600u) << file;
  }
  stop();
}

TEST_F(ServerHygieneTest, NoSecretOfAUrlReachesHealthOrTheLog) {
  const std::string url = shared_postgres().create_database();
  start({"GAIA_ALERT_WEBHOOK_URL=http://127.0.0.1:9/hook?token=webhook-hunter2",
         "CLAUDE_CONFIRM_AI_ENABLED=true",
         "GAIA_CONFIRM_REVIEWER_URL=http://127.0.0.1:9/"
         "Review0hunter2Token0123?token=reviewer-hunter2"},
        {}, url + "?password=database-hunter2&sslmode=disable");
  for (const char* path : {"/health", "/ready", "/api/admin/health"}) {
    auto health = http_request(port_, "GET", path, kAdminKey, "");
    ASSERT_TRUE(health) << path;
    EXPECT_EQ(health->body.find("hunter2"), std::string::npos) << path << ": " << health->body;
  }
  ASSERT_TRUE(server_->read_line_starting("[INFO] Dashboard"));
  EXPECT_EQ(server_->stdout_.find("hunter2"), std::string::npos) << server_->stdout_;
  EXPECT_NE(server_->stdout_.find("token=***"), std::string::npos) << server_->stdout_;
  EXPECT_NE(server_->stdout_.find("reviewer http://127.0.0.1:9/***?token=***"), std::string::npos)
      << server_->stdout_;
  stop();
}

TEST_F(ServerHygieneTest, ADatabaseUrlTheDriverCannotReadStopsTheStartWithoutItsPassword) {
  std::string err;
  EXPECT_EQ(start_failing({"DATABASE_URL=postgres://gaia:hunter%zz2@127.0.0.1:1/gaia",
                           "GAIA_STORE_CONNECT_RETRY_S=0"},
                          err),
            1);
  EXPECT_NE(err.find("invalid percent-encoded token"), std::string::npos) << err;
  EXPECT_EQ(err.find("hunter"), std::string::npos) << err;
}

}  // namespace
}  // namespace gaia::testing
