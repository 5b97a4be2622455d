#include "app/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <thread>

#include "app/settings.h"

namespace gaia::app {
namespace {

TEST(ConfigTest, DefaultsWhenNothingIsSet) {
  auto c = resolve_config({}, {}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->bind_address, "127.0.0.1");
  EXPECT_EQ(c->database_url, "sqlite:./var/gaia.db");
  EXPECT_EQ(c->sqlite_path, "./var/gaia.db");
  EXPECT_EQ(c->time_zone, "UTC");
  EXPECT_GE(c->io_threads, 1u);
}

TEST(ConfigTest, FlagBeatsEnvironmentBeatsFile) {
  Settings file = {{"port", "1001"}, {"bind", "10.0.0.1"}, {"threads", "3"}};
  Settings env = {{"port", "1002"}, {"bind", "10.0.0.2"}};
  Settings flags = {{"port", "1003"}};
  auto c = resolve_config(flags, env, file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 1003);
  EXPECT_EQ(c->bind_address, "10.0.0.2");
  EXPECT_EQ(c->io_threads, 3u);
}

TEST(ConfigTest, ReadsEverySetting) {
  Settings flags = {{"port", "0"},
                    {"bind", "::1"},
                    {"database_url", "sqlite:///tmp/g.db"},
                    {"time_zone", "Europe/Paris"},
                    {"threads", "4"}};
  auto c = resolve_config(flags, {}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->bind_address, "::1");
  EXPECT_EQ(c->sqlite_path, "/tmp/g.db");
  EXPECT_EQ(c->time_zone, "Europe/Paris");
  EXPECT_EQ(c->io_threads, 4u);
}

// The error names the setting as the user spelled it, and the bad value.
void expect_rejected(const Settings& flags, const Settings& env, const Settings& file,
                     const std::string& origin, const std::string& value) {
  auto c = resolve_config(flags, env, file);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find(origin), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find(value), std::string::npos) << c.status().message();
}

TEST(ConfigTest, RejectsBadPortNamingItsSource) {
  expect_rejected({}, {{"port", "http"}}, {}, "PORT", "http");
  expect_rejected({{"port", "65536"}}, {}, {}, "--port", "65536");
  expect_rejected({}, {}, {{"port", "-1"}}, "config file key port", "-1");
}

TEST(ConfigTest, RejectsBadValuesOfEverySetting) {
  expect_rejected({}, {{"bind", "localhost:80"}}, {}, "GAIA_BIND", "localhost:80");
  expect_rejected({}, {{"database_url", "mysql://x"}}, {}, "DATABASE_URL", "mysql://x");
  expect_rejected({}, {{"time_zone", "Mars/Olympus"}}, {}, "GAIA_TIME_ZONE", "Mars/Olympus");
  expect_rejected({}, {{"threads", "0"}}, {}, "GAIA_THREADS", "0");
  expect_rejected({{"threads", "2x"}}, {}, {}, "--threads", "2x");
}

TEST(ConfigTest, ReadsPostgresUrlAndStoreSettings) {
  auto c = resolve_config({},
                          {{"database_url", "postgresql://gaia:pw@db:5432/gaia"},
                           {"store_failure", "closed"},
                           {"store_connect_retry_s", "0"}},
                          {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->postgres_url, "postgresql://gaia:pw@db:5432/gaia");
  EXPECT_EQ(c->data_dir, "./var");
  EXPECT_EQ(c->store_failure, StoreFailure::kClosed);
  EXPECT_EQ(c->store_connect_retry_s, 0u);
  EXPECT_EQ(resolve_config({}, {{"database_url", "sqlite:/srv/g/gaia.db"}}, {})->data_dir,
            "/srv/g");
  EXPECT_EQ(resolve_config({}, {{"database_url", "postgres://h/d"}}, {})->store_failure,
            StoreFailure::kOpen);
  expect_rejected({}, {{"store_failure", "maybe"}}, {}, "GAIA_STORE_FAILURE", "maybe");
  expect_rejected({}, {{"store_connect_retry_s", "-3"}}, {}, "GAIA_STORE_CONNECT_RETRY_S", "-3");
}

TEST(ConfigTest, ReadsTheStoreFlushIntervalDownToZero) {
  EXPECT_EQ(resolve_config({}, {}, {})->store_flush_ms, 100u);
  EXPECT_EQ(resolve_config({}, {{"store_flush_ms", "0"}}, {})->store_flush_ms, 0u);
  EXPECT_EQ(resolve_config({{"store_flush_ms", "250"}}, {}, {})->store_flush_ms, 250u);
  EXPECT_EQ(resolve_config({}, {}, {{"store_flush_ms", "5"}})->store_flush_ms, 5u);
  expect_rejected({}, {{"store_flush_ms", "60001"}}, {}, "GAIA_STORE_FLUSH_MS", "60001");
  expect_rejected({{"store_flush_ms", "-1"}}, {}, {}, "--store-flush-ms", "-1");
}

TEST(ConfigTest, ValidFlagHidesBadLowerValue) {
  auto c = resolve_config({{"port", "9000"}}, {{"port", "bad"}}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 9000);
}

TEST(ConfigTest, RejectsBadChoicesNamingTheChoices) {
  auto c = resolve_config({}, {{"store_failure", "maybe"}}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "invalid store_failure \"maybe\" (from GAIA_STORE_FAILURE): expected open or closed");
  expect_rejected({}, {}, {{"throttle_slow", "fast"}}, "config file key throttle_slow", "fast");
  expect_rejected({{"confirm_fallback", "maybe"}}, {}, {}, "--confirm-fallback", "maybe");
  expect_rejected({}, {{"metrics_open", "yes"}}, {}, "GAIA_METRICS_OPEN", "yes");
}

TEST(ConfigTest, ReadsChoicesIntoTheirFields) {
  auto c = resolve_config({}, {{"throttle_slow", "hold"}, {"throttle_stop", "refuse"}},
                          {{"exec_cgroups", "off"}, {"confirm_fallback", "deny"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->throttle_hold);
  EXPECT_TRUE(c->throttle_refuse_at_zero);
  EXPECT_EQ(c->exec_cgroups, "off");
  EXPECT_EQ(c->confirm_fallback, "deny");
}

TEST(ConfigTest, CommandsRunAsGaiaExecUnlessAnotherAccountIsNamed) {
  auto c = resolve_config({}, {}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->exec_user, "gaia-exec");
  EXPECT_TRUE(c->exec_user_map.empty());
  EXPECT_EQ(c->exec_cgroups, "auto");

  c = resolve_config({}, {{"exec_user", "builder"}, {"exec_user_map", "alice=alice,bob=ci-bob"}},
                     {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->exec_user, "builder");
  const std::map<std::string, std::string> expected = {{"alice", "alice"}, {"bob", "ci-bob"}};
  EXPECT_EQ(c->exec_user_map, expected);
}

TEST(ConfigTest, RejectsBadAccountsAndMaps) {
  expect_rejected({}, {{"exec_user", "-rf"}}, {}, "GAIA_EXEC_USER", "-rf");
  expect_rejected({}, {{"exec_user", "a b"}}, {}, "GAIA_EXEC_USER", "a b");
  expect_rejected({{"exec_user_map", "alice"}}, {}, {}, "--exec-user-map", "alice");
  expect_rejected({}, {}, {{"exec_user_map", "=root"}}, "config file key exec_user_map", "=root");
  expect_rejected({}, {{"exec_user_map", "a=x,a=y"}}, {}, "GAIA_EXEC_USER_MAP", "a=x,a=y");
  expect_rejected({}, {{"exec_user_map", "a=x y"}}, {}, "GAIA_EXEC_USER_MAP", "a=x y");
}

TEST(ConfigTest, RejectsOutOfRangeIntegersNamingTheRange) {
  auto c = resolve_config({{"alert_interval_s", "3601"}}, {}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "invalid alert_interval_s \"3601\" (from --alert-interval-s): expected seconds from 1 "
            "to 3600");
  expect_rejected({}, {{"analytics_day_days", "0"}}, {}, "GAIA_ANALYTICS_DAY_DAYS", "0");
  expect_rejected({}, {}, {{"confirm_approval_wait_s", "86401"}},
                  "config file key confirm_approval_wait_s", "86401");
}

TEST(ConfigTest, NeverEchoesASecret) {
  auto c = resolve_config({}, {{"admin_key", "hunter2"}}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "invalid admin_key (from GAIA_ADMIN_KEY): expected at least 32 characters");
}

TEST(ConfigTest, SecretsComeFromTheEnvironmentOnly) {
  const std::string key(40, 'k');
  auto c = resolve_config({{"admin_key", key}}, {}, {{"alert_webhook_secret", "s"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->admin_key, "");
  EXPECT_EQ(c->alert_webhook_secret, "");
  c = resolve_config({}, {{"admin_key", key}, {"alert_webhook_secret", "s"}}, {});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->admin_key, key);
  EXPECT_EQ(c->alert_webhook_secret, "s");
}

TEST(ConfigTest, MetricsOpenNeedsALoopbackBind) {
  expect_rejected({{"bind", "0.0.0.0"}}, {{"metrics_open", "true"}}, {}, "GAIA_METRICS_OPEN",
                  "true");
  EXPECT_TRUE(resolve_config({{"bind", "::1"}}, {{"metrics_open", "true"}}, {})->metrics_open);
  EXPECT_TRUE(resolve_config({{"bind", "0.0.0.0"}}, {{"metrics_open", "false"}}, {}).ok());
}

TEST(ConfigTest, ReviewerNeedsItsUrl) {
  auto c = resolve_config({}, {{"confirm_ai_enabled", "true"}}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("GAIA_CONFIRM_REVIEWER_URL"), std::string::npos);
  c = resolve_config({}, {{"confirm_ai_enabled", "true"}},
                     {{"confirm_reviewer_url", "http://127.0.0.1:9/review"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->confirm_ai_enabled);
  EXPECT_TRUE(resolve_config({}, {{"confirm_ai_enabled", "true"}},
                             {{"confirm_reviewer_url", "https://reviewer.example/review"}})
                  .ok());
  expect_rejected({}, {{"confirm_reviewer_url", "ftp://x"}}, {}, "GAIA_CONFIRM_REVIEWER_URL",
                  "ftp://x");
}

TEST(ConfigTest, RateLimitServiceIsOffUnlessAPortIsSet) {
  auto off = resolve_config({}, {}, {});
  ASSERT_TRUE(off.ok()) << off.status().message();
  EXPECT_FALSE(off->rls_port.has_value());
  EXPECT_EQ(off->rls_domains, "gaia");
  EXPECT_EQ(off->rls_threads, std::max(std::thread::hardware_concurrency() / 2, 1u));
  auto on = resolve_config({{"rls_port", "8081"}, {"rls_threads", "3"}},
                           {{"rls_domains", "gaia; edge: k=shell"}},
                           {{"rls_trusted_peers", "10.0.0.0/8"}});
  ASSERT_TRUE(on.ok()) << on.status().message();
  EXPECT_EQ(on->rls_port, 8081);
  EXPECT_EQ(on->rls_threads, 3u);
  EXPECT_EQ(on->rls_domains, "gaia; edge: k=shell");
  EXPECT_EQ(on->rls_trusted_peers, "10.0.0.0/8");
  auto back_off = resolve_config({{"rls_port", "off"}}, {{"rls_port", "8081"}}, {});
  ASSERT_TRUE(back_off.ok()) << back_off.status().message();
  EXPECT_FALSE(back_off->rls_port.has_value());
}

TEST(ConfigTest, RejectsMalformedRateLimitServiceSettings) {
  expect_rejected({{"rls_port", "70000"}}, {}, {}, "--rls-port", "70000");
  expect_rejected({}, {{"rls_threads", "0"}}, {}, "GAIA_RLS_THREADS", "0");
  expect_rejected({}, {{"rls_domains", "gaia; gaia"}}, {}, "GAIA_RLS_DOMAINS", "gaia; gaia");
  expect_rejected({}, {}, {{"rls_trusted_peers", "localhost"}}, "rls_trusted_peers", "localhost");
}

TEST(ConfigTest, DataDirFollowsTheDatabaseUnlessSet) {
  EXPECT_EQ(resolve_config({}, {}, {{"database_url", "sqlite:db/g.db"}})->data_dir, "db");
  EXPECT_EQ(resolve_config({{"data_dir", "/srv/state"}}, {}, {{"database_url", "sqlite:db/g.db"}})
                ->data_dir,
            "/srv/state");
  expect_rejected({{"data_dir", ""}}, {}, {}, "--data-dir", "\"\"");
}

TEST(ConfigTest, DefaultsShownAreTheDefaultsResolved) {
  const Config shown = default_config();
  auto resolved = resolve_config({}, {}, {});
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  for (const Setting& setting : setting_table()) {
    EXPECT_EQ(setting.field.show(shown), setting.field.show(resolved.value())) << setting.key;
  }
}

// Flags are the key with dashes; variables are GAIA_ and the key in capitals, but for the
// names the specification gave (PORT, DATABASE_URL, CLAUDE_CONFIRM_AI_ENABLED).
TEST(ConfigTest, TableNamesFollowOneConvention) {
  const std::set<std::string_view> kSpecNames = {"PORT", "DATABASE_URL",
                                                 "CLAUDE_CONFIRM_AI_ENABLED"};
  std::set<std::string_view> keys, envs, flags;
  for (const Setting& setting : setting_table()) {
    std::string flag = "--" + std::string(setting.key);
    std::replace(flag.begin(), flag.end(), '_', '-');
    std::string env = "GAIA_" + std::string(setting.key);
    std::transform(env.begin(), env.end(), env.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (setting.reach == Reach::kEnvironmentOnly) {
      EXPECT_EQ(setting.flag, "") << setting.key;
    } else {
      EXPECT_EQ(setting.flag, flag) << setting.key;
    }
    if (!kSpecNames.contains(setting.env)) {
      EXPECT_EQ(setting.env, env) << setting.key;
    }
    EXPECT_FALSE(setting.help.empty()) << setting.key;
    EXPECT_FALSE(setting.field.shape.empty()) << setting.key;
    EXPECT_TRUE(keys.insert(setting.key).second) << setting.key;
    EXPECT_TRUE(envs.insert(setting.env).second) << setting.env;
    if (!setting.flag.empty()) {
      EXPECT_TRUE(flags.insert(setting.flag).second) << setting.flag;
    }
    EXPECT_EQ(find_setting(setting.key), &setting);
  }
  EXPECT_EQ(find_setting("prot"), nullptr);
}

}  // namespace
}  // namespace gaia::app
