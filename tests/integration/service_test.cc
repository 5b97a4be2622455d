// Drives the real gaia_server over HTTP as a client would: keys, checks, quotas, executions,
// bad input, restarts and kill -9.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "support/eventually.h"
#include "support/gaia_server_test.h"
#include "support/postgres_cluster.h"
#include "support/raw_http_client.h"
#include "support/store_backends.h"

namespace gaia::testing {
namespace {

const std::string kAdminKey = "integration-admin-key-0123456789abcdef";

boost::json::value json_of(const RawResponse& r) { return boost::json::parse(r.body); }

class ServiceTest : public GaiaServerTest {
 protected:
  ServiceTest() : GaiaServerTest(kAdminKey) {}
  std::optional<RawResponse> call(std::string_view method, std::string_view path,
                                  std::string_view key, std::string_view body = {}) {
    return http_request(port_, method, path, key, body);
  }
  // A new user of `tier` and a key of `role` for it.
  std::string user_with_key(const std::string& name, const std::string& role = "user",
                            const std::string& tier = "default") {
    return create_user_key(name, R"({"name":")" + name + R"(","tier":")" + tier + R"("})",
                           R"({"role":")" + role + R"("})");
  }
  int64_t remaining_shell_day(const std::string& key) {
    auto q = call("GET", "/api/v1/quota", key);
    EXPECT_TRUE(q && q->status == 200);
    const boost::json::value status = json_of(*q);
    for (const auto& line : status.at("quotas").as_array()) {
      if (line.at("policy") == "shell-day") return line.at("remaining").as_int64();
    }
    return -1;
  }
};

TEST_F(ServiceTest, RequiresAKeyAndAnAdminKeyForAdminEndpoints) {
  start();
  auto anonymous = call("POST", "/api/v1/check", "", R"({"type":"shell"})");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->headers["www-authenticate"], "Bearer");
  EXPECT_EQ(call("POST", "/api/v1/check", "gaia_wrong", R"({"type":"shell"})")->status, 401);
  std::string key = user_with_key("alice");
  EXPECT_EQ(call("POST", "/api/admin/users", key, R"({"name":"mallory"})")->status, 403);
  EXPECT_EQ(call("POST", "/api/admin/users", kAdminKey, R"({"name":"alice"})")->status, 409);
}

TEST_F(ServiceTest, CheckAdmitsThenRefusesWithRateLimitFields) {
  start();
  std::string key = user_with_key("alice");
  auto first = call("POST", "/api/v1/check", key, R"({"type":"shell","cost":499})");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(json_of(*first).at("allowed"), true);
  EXPECT_EQ(first->headers["ratelimit-policy"], R"("shell-day";q=500;w=86400)");
  EXPECT_TRUE(first->headers["ratelimit"].starts_with(R"("shell-day";r=1;t=)"))
      << first->headers["ratelimit"];

  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 200);
  auto refused = call("POST", "/api/v1/check", key, R"({"type":"shell","command":"ls"})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_FALSE(refused->headers["retry-after"].empty());
  EXPECT_TRUE(refused->headers["ratelimit"].starts_with(R"("shell-day";r=0;t=)"));
  EXPECT_EQ(json_of(*refused).at("limit").at("policy"), "shell-day");
  // Other types have their own quota.
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"code"})")->status, 200);
  stop();
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM violations WHERE limit_name = 'shell-day' AND "
                       "command = 'ls'"),
            1);
}

TEST_F(ServiceTest, BadInputIsRefusedWithTheFieldAndChangesNothing) {
  start();
  std::string key = user_with_key("alice");
  struct Case {
    std::string body;
    std::string field;
  };
  const Case cases[] = {{"{", "body"},
                        {"[1]", "body"},
                        {R"({})", "type"},
                        {R"({"type":7})", "type"},
                        {R"({"type":"mine"})", "type"},
                        {R"({"type":"shell","cost":0})", "cost"},
                        {R"({"type":"shell","cost":"2"})", "cost"},
                        {R"({"type":"shell","cost":1.5})", "cost"},
                        {R"({"type":"shell","user":"bob"})", "user"}};
  for (const Case& c : cases) {
    auto r = call("POST", "/api/v1/check", key, c.body);
    ASSERT_TRUE(r) << c.body;
    EXPECT_EQ(r->status, 400) << c.body;
    EXPECT_EQ(json_of(*r).at("field"), c.field.c_str()) << c.body << " -> " << r->body;
  }
  auto huge = call("POST", "/api/v1/check", key, std::string(2 * 1024 * 1024, 'x'));
  EXPECT_TRUE(!huge || huge->status == 413);
  EXPECT_EQ(remaining_shell_day(key), 500);
}

TEST_F(ServiceTest, AServiceKeyChecksOnBehalfOfItsUsers) {
  start();
  std::string gateway = user_with_key("gateway", "service");
  user_with_key("bob");
  auto r = call("POST", "/api/v1/check", gateway, R"({"type":"review","user":"bob","cost":200})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r).at("user"), "bob");
  EXPECT_EQ(call("POST", "/api/v1/check", gateway, R"({"type":"review","user":"bob"})")->status,
            429);
  EXPECT_EQ(call("POST", "/api/v1/check", gateway, R"({"type":"review"})")->status, 200);
}

TEST_F(ServiceTest, TierChangeAndKeyRevocationApplyToTheNextRequest) {
  start();
  std::string key = user_with_key("alice");
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"review","cost":200})")->status, 200);
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"review"})")->status, 429);
  auto tier = call("PUT", "/api/admin/users/alice", kAdminKey, R"({"tier":"premium"})");
  ASSERT_TRUE(tier);
  EXPECT_EQ(tier->status, 200);
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"review"})")->status, 200);
  EXPECT_EQ(call("PUT", "/api/admin/users/alice", kAdminKey, R"({"tier":"gold"})")->status, 400);

  auto keys = call("POST", "/api/admin/users/alice/keys", kAdminKey, "{}");
  int64_t id = json_of(*keys).at("id").as_int64();
  std::string second(json_of(*keys).at("key").as_string());
  EXPECT_EQ(call("GET", "/api/v1/quota", second)->status, 200);
  EXPECT_EQ(call("DELETE", "/api/admin/keys/" + std::to_string(id), kAdminKey)->status, 200);
  EXPECT_EQ(call("GET", "/api/v1/quota", second)->status, 401);
  EXPECT_EQ(call("DELETE", "/api/admin/keys/x1", kAdminKey)->status, 400);
  stop();
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE action IN "
                       "('user.create','user.tier','key.create','key.revoke')"),
            5);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM audit_log WHERE after LIKE '%gaia_%'"), 0);
}

TEST_F(ServiceTest, AKeyCarriesItsOwnLimitsAcrossRestarts) {
  start();
  user_with_key("alice");
  auto bad = call("POST", "/api/admin/users/alice/keys", kAdminKey,
                  R"({"limits":[{"kind":"calendar","period":"year","amount":3}]})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json_of(*bad).at("field"), "limits[0].period");
  auto unknown = call("POST", "/api/admin/users/alice/keys", kAdminKey,
                      R"({"limits":[{"kind":"rate","amount":3,"window_ms":1000,"type":"x"}]})");
  EXPECT_EQ(unknown->status, 400);

  auto created =
      call("POST", "/api/admin/users/alice/keys", kAdminKey,
           R"({"limits":[{"kind":"rate","amount":2,"window_ms":60000,"type":"shell"}]})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  std::string limited(json_of(*created).at("key").as_string());
  auto checks = [&] {
    int admitted = 0;
    for (int i = 0; i < 4; ++i) {
      admitted += call("POST", "/api/v1/check", limited, R"({"type":"shell"})")->status == 200;
    }
    return admitted;
  };
  EXPECT_EQ(checks(), 2);
  auto refused = call("POST", "/api/v1/check", limited, R"({"type":"shell"})");
  EXPECT_EQ(refused->headers["ratelimit-policy"], R"("key-shell-rate-60s";q=2;w=60)");
  EXPECT_EQ(call("POST", "/api/v1/check", limited, R"({"type":"code"})")->status, 200);
  // The refusals lowered alice's reputation, which would scale the 2 down after the restart.
  EXPECT_EQ(call("POST", "/api/admin/users/alice/reputation/reset", kAdminKey, "{}")->status, 200);
  stop();
  start();  // the rule is stored, and so is what its window holds
  EXPECT_EQ(checks(), 0);
}

TEST_F(ServiceTest, AKeyNarrowsItsUsersLimitsAndNeverWidensThem) {
  start();
  const std::string plain = user_with_key("alice");
  ASSERT_EQ(call("PUT", "/api/admin/users/alice/overrides", kAdminKey,
                 R"({"limits":[{"type":"shell","kind":"calendar","period":"day","amount":3}]})")
                ->status,
            200);
  auto created =
      call("POST", "/api/admin/users/alice/keys", kAdminKey,
           R"({"limits":[{"kind":"calendar","period":"day","amount":10,"type":"shell"}]})");
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string wide(json_of(*created).at("key").as_string());
  int admitted = 0;
  for (int i = 0; i < 6; ++i) {
    admitted += call("POST", "/api/v1/check", wide, R"({"type":"shell"})")->status == 200;
  }
  EXPECT_EQ(admitted, 3);  // the key's 10 do not lift alice's 3
  // And the key's use counted against alice's own quota.
  EXPECT_EQ(call("POST", "/api/v1/check", plain, R"({"type":"shell"})")->status, 429);
}

TEST_F(ServiceTest, ALimitThatAPolicyCouldNotHoldIsRefused400NamingIt) {
  start();
  user_with_key("bob");
  // The defaults give shell 3 limits; 8 shell and 5 any-type rates make 16, a full policy.
  std::string limits;
  for (int s = 1; s <= 13; ++s) {
    limits += std::string(limits.empty() ? "" : ",") + R"({"kind":"rate","amount":100,)" +
              R"("window_ms":)" + std::to_string(s * 1000) + (s <= 8 ? R"(,"type":"shell"})" : "}");
  }
  ASSERT_EQ(
      call("PUT", "/api/admin/users/bob/overrides", kAdminKey, R"({"limits":[)" + limits + "]}")
          ->status,
      200);
  auto key = call("POST", "/api/admin/users/bob/keys", kAdminKey,
                  R"({"limits":[{"kind":"rate","amount":1,"window_ms":60000,"type":"shell"}]})");
  ASSERT_EQ(key->status, 400) << key->body;
  EXPECT_EQ(json_of(*key).at("field"), "limits");
  EXPECT_NE(key->body.find("more than the 16 a policy holds"), std::string::npos) << key->body;
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM api_keys"), 2);  // the admin's and bob's first
  // One more override of bob's would not fit either.
  auto more = call("PUT", "/api/admin/users/bob/overrides", kAdminKey,
                   R"({"limits":[)" + limits + R"(,{"kind":"concurrency","amount":4}]})");
  ASSERT_EQ(more->status, 400) << more->body;
  EXPECT_NE(more->body.find("more than the 16 a policy holds"), std::string::npos) << more->body;
}

TEST_F(ServiceTest, AKillNineKeepsRateWindowsOfWhatWasStored) {
  start({"GAIA_ANALYTICS_FLUSH_S=3600"});  // no minute figures: units count from now
  create_user_key("carol", R"({"name":"carol"})", "{}");
  auto created =
      call("POST", "/api/admin/users/carol/keys", kAdminKey,
           R"({"limits":[{"kind":"rate","amount":3,"window_ms":3600000,"type":"shell"}]})");
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string key(json_of(*created).at("key").as_string());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 200);
  }
  ASSERT_TRUE(eventually(
      [&] { return count_rows("SELECT SUM(used) FROM quota_usage WHERE type = 'shell'") == 3; },
      std::chrono::seconds(10), std::chrono::milliseconds(20)));
  server_->signal(SIGKILL);
  server_->wait_exit();
  server_.reset();
  start();
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 429);
}

TEST_F(ServiceTest, KeysAreStoredOnlyAsHashes) {
  start();
  std::string key = user_with_key("alice");
  stop();
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM api_keys WHERE length(hash) = 32"), 2);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM api_keys WHERE instr(CAST(hash AS TEXT), '" + key +
                       "') > 0"),
            0);
}

TEST_F(ServiceTest, ARestartKeepsTodaysUsage) {
  start();
  std::string key = user_with_key("alice");
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell","cost":499})")->status, 200);
  stop();
  start();
  EXPECT_EQ(remaining_shell_day(key), 1);
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 200);
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 429);
}

TEST_F(ServiceTest, ExecutionsAreIdempotentAndValidated) {
  start();
  std::string key = user_with_key("alice");
  const std::string body =
      R"({"id":"run-1","type":"test","command":"make test","duration_ms":1200,"cpu_ms":900,)"
      R"("peak_memory_bytes":1048576,"exit_code":0})";
  auto first = call("POST", "/api/v1/executions", key, body);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201) << first->body;
  EXPECT_EQ(call("POST", "/api/v1/executions", key, body)->status, 200);
  auto both = call("POST", "/api/v1/executions", key,
                   R"({"id":"run-2","type":"test","command":"x","duration_ms":1,"cpu_ms":1,)"
                   R"("peak_memory_bytes":1,"exit_code":0,"signal":9})");
  EXPECT_EQ(both->status, 400);
  EXPECT_EQ(json_of(*both).at("field"), "exit_code");
  auto negative = call("POST", "/api/v1/executions", key,
                       R"({"id":"run-3","type":"test","command":"x","duration_ms":-1,)"
                       R"("cpu_ms":1,"peak_memory_bytes":1,"signal":9})");
  EXPECT_EQ(json_of(*negative).at("field"), "duration_ms");
  stop();
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM executions"), 1);
}

TEST_F(ServiceTest, RetentionDeletesOnlyOldExecutions) {
  start({"GAIA_RETENTION_DAYS=1"});
  std::string key = user_with_key("alice");
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (auto [id, started] : {std::pair{"old", now_ms - 2 * 86'400'000}, {"new", now_ms}}) {
    auto r = call("POST", "/api/v1/executions", key,
                  R"({"id":")" + std::string(id) +
                      R"(","type":"shell","command":"ls",)"
                      R"("started_at":)" +
                      std::to_string(started) +
                      R"(,"duration_ms":1,"cpu_ms":1,"peak_memory_bytes":1,"exit_code":0})");
    ASSERT_EQ(r->status, 201) << r->body;
  }
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 200);
  stop();
  start({"GAIA_RETENTION_DAYS=1"});  // retention runs at start, then hourly
  stop();
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM executions WHERE id = 'new'"), 1);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM executions WHERE id = 'old'"), 0);
  EXPECT_EQ(count_rows("SELECT COUNT(*) FROM quota_usage"), 1);
}

TEST_F(ServiceTest, MetricsNeedAnAdminKeyAndCountChecks) {
  start();
  std::string key = user_with_key("alice");
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell"})")->status, 200);
  EXPECT_EQ(call("POST", "/api/v1/check", key, R"({"type":"shell","cost":500})")->status, 429);
  EXPECT_EQ(call("GET", "/metrics", "")->status, 401);
  EXPECT_EQ(call("GET", "/metrics", key)->status, 403);
  auto m = call("GET", "/metrics", kAdminKey);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = m->body;
  EXPECT_NE(text.find(R"(gaia_checks_total{type="shell",decision="admitted",limit="shell-day"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(gaia_checks_total{type="shell",decision="refused",limit="shell-day"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find("gaia_check_duration_seconds_count 2"), std::string::npos);
  EXPECT_NE(
      text.find(R"(gaia_http_requests_total{route="/api/v1/check",method="POST",status="429"} 1)"),
      std::string::npos);
  EXPECT_NE(text.find("gaia_store_queued_writes "), std::string::npos);
}

TEST_F(ServiceTest, MetricsCanBeOpenOnLoopback) {
  start({"GAIA_METRICS_OPEN=true"});
  EXPECT_EQ(call("GET", "/metrics", "")->status, 200);
}

TEST_F(ServiceTest, KillNineLosesNoAnsweredExecution) {
  start();
  std::string key = user_with_key("alice");
  std::mutex mu;
  std::set<std::string> answered;
  std::atomic<bool> stop_load{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; !stop_load; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto r =
            http_request(port_, "POST", "/api/v1/executions", key,
                         R"({"id":")" + id +
                             R"(","type":"shell","command":"true",)"
                             R"("duration_ms":1,"cpu_ms":1,"peak_memory_bytes":1,"exit_code":0})");
        if (!r) return;  // the server is gone
        if (r->status / 100 == 2) {
          std::lock_guard lock(mu);
          answered.insert(id);
        }
      }
    });
  }
  EXPECT_TRUE(testing::eventually(
      [&] {
        std::lock_guard lock(mu);
        return answered.size() >= 200;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(50)));
  server_->signal(SIGKILL);
  stop_load = true;
  for (auto& c : clients) c.join();
  server_->wait_exit();
  server_.reset();

  std::lock_guard lock(mu);
  ASSERT_GE(answered.size(), 200u);
  int64_t missing = 0;
  for (const std::string& id : answered) {
    missing += count_rows("SELECT COUNT(*) FROM executions WHERE id = '" + id + "'") != 1;
  }
  EXPECT_EQ(missing, 0);
}

// A graceful restart on each store backend: the rate windows come back with the usage.
class RestartTest : public GaiaServerTest, public ::testing::WithParamInterface<StoreBackend> {
 protected:
  RestartTest() : GaiaServerTest(kAdminKey) {}
  void SetUp() override {
    if (GetParam() == StoreBackend::kPostgres) url_ = shared_postgres().create_database();
  }
  void start() { GaiaServerTest::start({}, {}, url_); }
  int status_of_check(const std::string& key, const std::string& type) {
    auto r = http_request(port_, "POST", "/api/v1/check", key, R"({"type":")" + type + R"("})");
    return r ? r->status : 0;
  }
  std::string url_;  // PostgreSQL's database, or "" for SQLite
};

TEST_P(RestartTest, ALimitOfNAdmitsNAcrossARestartRateWindowsIncluded) {
  start();
  create_user_key("dana", R"({"name":"dana"})", "{}");
  auto created =
      http_request(port_, "POST", "/api/admin/users/dana/keys", kAdminKey,
                   R"({"limits":[{"kind":"rate","amount":3,"window_ms":3600000,"type":"shell"},)"
                   R"({"kind":"rate","amount":4,"window_ms":86400000}]})");
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "no answer");
  const std::string key(boost::json::parse(created->body).at("key").as_string());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(status_of_check(key, "shell"), 200);
  EXPECT_EQ(status_of_check(key, "code"), 200);
  stop();
  start();
  EXPECT_EQ(status_of_check(key, "shell"), 429);  // the hour's 3 of 3
  EXPECT_EQ(status_of_check(key, "code"), 429);   // the day's 4 of 4, every type together
}

INSTANTIATE_TEST_SUITE_P(Backends, RestartTest,
                         ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres),
                         store_backend_name);

}  // namespace
}  // namespace gaia::testing
