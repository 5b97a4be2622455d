#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/system_clock.h"
#include "cluster/redis/client.h"
#include "cluster/redis/redis_time.h"
#include "core/mutex.h"
#include "metrics/registry.h"
#include "support/eventually.h"
#include "support/redis_server.h"

namespace gaia::cluster::redis {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::RedisServerOptions;
using testing::shared_redis;

// The bound on any wait of a test, so a broken client fails the test instead of hanging it.
constexpr auto kPatience = 10s;

constexpr const char* kLibrary =
    "#!lua name=gaia_test\n"
    "redis.register_function('gaia_echo', function(keys, args) return args[1] end)\n";

std::unique_ptr<RedisServer> own_server(RedisServerOptions options = {}) {
  std::string error;
  auto server = RedisServer::create(options, error);
  EXPECT_TRUE(server) << error;
  return server;
}

ClientOptions options_for(const std::string& url, unsigned io_threads = 1) {
  ClientOptions options;
  auto parsed = RedisUrl::parse(url);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (parsed.ok()) options.connection.url = parsed.value();
  options.connection.connect_timeout = 2s;
  options.connection.backoff_min = 10ms;
  options.connection.backoff_max = 50ms;
  options.io_threads = io_threads;
  return options;
}

// One call, waited for (at most kPatience: the call's own deadline is what is tested).
CallResult call_and_wait(Caller& caller, std::vector<std::string> argv,
                         std::chrono::milliseconds deadline = 5s) {
  auto answered = std::make_shared<std::promise<CallResult>>();
  std::future<CallResult> answer = answered->get_future();
  caller.call(std::move(argv), deadline,
              [answered](CallResult r) { answered->set_value(std::move(r)); });
  if (answer.wait_for(kPatience) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within " << kPatience.count() << " s";
    return CallResult{CallError::kDisconnected, {}};
  }
  return answer.get();
}

std::string unique_key(const char* name) {
  return std::string("gaia-test:") + std::to_string(::getpid()) + ":" + name;
}

class RedisClientTest : public ::testing::Test {
 protected:
  app::SystemClock clock_;
  metrics::MetricsRegistry registry_;
  RedisMetrics metrics_{registry_};
};

TEST_F(RedisClientTest, AnswersEachOfManyConcurrentCallsWithItsOwnReply) {
  RedisClient client(options_for(shared_redis().url(), 2), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  constexpr int kThreads = 4;
  constexpr int kCalls = 2000;
  std::atomic<int> wrong{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        std::string payload = std::to_string(t) + ":" + std::to_string(i);
        client.call({"ECHO", payload}, 5s, [&, payload](CallResult r) {
          if (r.error != CallError::kNone || r.reply.str != payload) ++wrong;
          ++answered;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(testing::eventually([&] { return answered == kThreads * kCalls; }, kPatience, 5ms));
  EXPECT_EQ(wrong, 0);
}

TEST_F(RedisClientTest, PipelinesCallsAndAnswersThemInTheOrderTheyWereMade) {
  auto server = own_server();
  RedisClient client(options_for(server->url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  // Paused, Redis reads nothing: every call is written and waits on the one connection, and
  // the replies come back together once it resumes.
  server->pause();
  constexpr int kCalls = 1000;
  core::Mutex mu;
  std::vector<int64_t> seen;
  std::atomic<int> answered{0};
  for (int i = 0; i < kCalls; ++i) {
    client.call({"INCR", "counter"}, 30s, [&](CallResult r) {
      {
        core::MutexLock lock(mu);
        seen.push_back(r.error == CallError::kNone ? r.reply.integer : -1);
      }
      ++answered;
    });
  }
  server->resume();
  ASSERT_TRUE(testing::eventually([&] { return answered == kCalls; }, kPatience, 5ms));
  core::MutexLock lock(mu);
  for (int i = 0; i < kCalls; ++i) ASSERT_EQ(seen[i], i + 1) << "reply " << i;
}

TEST_F(RedisClientTest, NoCallWaitsPastItsDeadlineWhileRedisIsPaused) {
  auto server = own_server();
  RedisClient client(options_for(server->url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  server->pause();
  constexpr int kCalls = 200;
  constexpr auto kDeadline = 50ms;
  // Generous: a loaded machine may run the timer late, but never by seconds.
  constexpr auto kSlack = 2s;
  std::atomic<int> timed_out{0};
  std::atomic<int> late{0};
  std::atomic<int> answered{0};
  for (int i = 0; i < kCalls; ++i) {
    const auto made = std::chrono::steady_clock::now();
    client.call({"ECHO", "paused"}, kDeadline, [&, made](CallResult r) {
      if (r.error == CallError::kTimeout) ++timed_out;
      if (std::chrono::steady_clock::now() - made > kDeadline + kSlack) ++late;
      ++answered;
    });
  }
  ASSERT_TRUE(testing::eventually([&] { return answered == kCalls; }, kPatience, 5ms));
  EXPECT_EQ(timed_out, kCalls);
  EXPECT_EQ(late, 0);
  EXPECT_EQ(metrics_.errors(RedisMetrics::Error::kTimeout), uint64_t{kCalls});

  // Resumed, the late replies are dropped, and the same connection goes on answering the right
  // call: it was not poisoned.
  server->resume();
  CallResult after = call_and_wait(client, {"ECHO", "after the pause"});
  ASSERT_EQ(after.error, CallError::kNone);
  EXPECT_EQ(after.reply.str, "after the pause");
  EXPECT_EQ(metrics_.errors(RedisMetrics::Error::kLateReply), uint64_t{kCalls});
  EXPECT_EQ(metrics_.errors(RedisMetrics::Error::kConnect), 0u);
}

TEST_F(RedisClientTest, CallsWhileRedisIsDownFailAtOnceAndTheClientReconnects) {
  auto server = own_server();
  RedisClient client(options_for(server->url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  ASSERT_EQ(call_and_wait(client, {"SET", "k", "v"}).error, CallError::kNone);

  server->kill();
  ASSERT_TRUE(testing::eventually([&] { return !client.connected(); }, kPatience, 5ms));
  // A deadline far away: the answer comes at once, not when it passes.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(call_and_wait(client, {"GET", "k"}, 1h).error, CallError::kDisconnected);
  }

  ASSERT_TRUE(server->restart());
  ASSERT_TRUE(testing::eventually([&] { return client.connected(); }, kPatience, 5ms));
  CallResult r = call_and_wait(client, {"GET", "k"});
  ASSERT_EQ(r.error, CallError::kNone);
  EXPECT_EQ(r.reply.kind, Reply::Kind::kNil);  // restarted empty
}

TEST_F(RedisClientTest, ACallCutOffWithItsConnectionAnswersDisconnected) {
  auto server = own_server();
  RedisClient client(options_for(server->url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  server->pause();
  auto answered = std::make_shared<std::promise<CallResult>>();
  auto answer = answered->get_future();
  client.call({"ECHO", "x"}, 1h, [answered](CallResult r) { answered->set_value(std::move(r)); });
  server->kill();
  ASSERT_EQ(answer.wait_for(kPatience), std::future_status::ready);
  EXPECT_EQ(answer.get().error, CallError::kDisconnected);
}

TEST_F(RedisClientTest, AuthenticatesWithThePasswordOfTheUrl) {
  auto server = own_server({.password = "open-sesame"});
  RedisClient client(options_for(server->url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  ASSERT_EQ(call_and_wait(client, {"SET", "k", "v"}).error, CallError::kNone);
  EXPECT_EQ(server->cli({"GET", "k"}), "v");
}

TEST_F(RedisClientTest, DoesNotConnectWithAWrongPassword) {
  auto server = own_server({.password = "open-sesame"});
  ClientOptions options = options_for("redis://:wrong@127.0.0.1:" + std::to_string(server->port()));
  options.connection.connect_timeout = 300ms;
  RedisClient client(options, clock_, &metrics_);
  core::Status s = client.start();
  EXPECT_EQ(s.code(), core::StatusCode::kUnavailable) << s.message();
  EXPECT_EQ(s.message().find("wrong"), std::string::npos) << "the password is not shown";
  EXPECT_EQ(call_and_wait(client, {"PING"}).error, CallError::kDisconnected);
  EXPECT_GT(metrics_.errors(RedisMetrics::Error::kConnect), 0u);
}

TEST_F(RedisClientTest, SelectsTheDatabaseOfTheUrl) {
  RedisClient client(options_for(shared_redis().url(5)), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  const std::string key = unique_key("select");
  ASSERT_EQ(call_and_wait(client, {"SET", key, "in five"}).error, CallError::kNone);
  EXPECT_EQ(shared_redis().cli({"-n", "5", "GET", key}), "in five");
  EXPECT_EQ(shared_redis().cli({"-n", "0", "GET", key}), "");
  ASSERT_EQ(call_and_wait(client, {"DEL", key}).error, CallError::kNone);
}

TEST_F(RedisClientTest, LoadsTheFunctionLibraryAtConnect) {
  auto server = own_server();
  ClientOptions options = options_for(server->url());
  options.connection.function_library = kLibrary;
  RedisClient client(options, clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  CallResult r = call_and_wait(client, {"FCALL", "gaia_echo", "0", "hello"});
  ASSERT_EQ(r.error, CallError::kNone);
  EXPECT_EQ(r.reply.str, "hello");
}

TEST_F(RedisClientTest, LoadsTheFunctionLibraryAgainWhenRedisLostIt) {
  auto server = own_server();
  ClientOptions options = options_for(server->url());
  options.connection.function_library = kLibrary;
  RedisClient client(options, clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  ASSERT_EQ(call_and_wait(client, {"FCALL", "gaia_echo", "0", "before"}).reply.str, "before");

  ASSERT_EQ(server->cli({"FUNCTION", "FLUSH"}), "OK");
  // Several calls find it missing at once: each is answered, after one load.
  std::vector<std::future<CallResult>> answers;
  for (int i = 0; i < 10; ++i) {
    auto answered = std::make_shared<std::promise<CallResult>>();
    answers.push_back(answered->get_future());
    client.call({"FCALL", "gaia_echo", "0", "again " + std::to_string(i)}, 5s,
                [answered](CallResult r) { answered->set_value(std::move(r)); });
  }
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(answers[i].wait_for(kPatience), std::future_status::ready);
    CallResult r = answers[i].get();
    ASSERT_EQ(r.error, CallError::kNone);
    EXPECT_EQ(r.reply.str, "again " + std::to_string(i));
  }
  EXPECT_NE(server->cli({"FUNCTION", "LIST"}).find("gaia_echo"), std::string::npos);
}

TEST_F(RedisClientTest, AnErrorReplyIsAReply) {
  RedisClient client(options_for(shared_redis().url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  CallResult r = call_and_wait(client, {"NO-SUCH-COMMAND"});
  ASSERT_EQ(r.error, CallError::kNone);
  EXPECT_EQ(r.reply.kind, Reply::Kind::kError);
  EXPECT_EQ(r.reply.str.rfind("ERR unknown command", 0), 0u) << r.reply.str;
  EXPECT_EQ(metrics_.errors(RedisMetrics::Error::kErrorReply), 1u);
}

TEST_F(RedisClientTest, RefusesARedisThatMayEvictCounters) {
  auto server = own_server({.password = "", .maxmemory_policy = "allkeys-lru"});
  RedisClient client(options_for(server->url()), clock_, &metrics_);
  core::Status s = client.start();
  EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("allkeys-lru"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("noeviction"), std::string::npos) << s.message();
}

TEST_F(RedisClientTest, OnlyWarnsOfAnEvictingRedisWhenToldTo) {
  auto server = own_server({.password = "", .maxmemory_policy = "volatile-ttl"});
  ClientOptions options = options_for(server->url());
  options.eviction = EvictionPolicyCheck::kWarn;
  RedisClient client(options, clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  EXPECT_EQ(client.eviction_policy(), "volatile-ttl");
}

TEST_F(RedisClientTest, ReadsTheTimeOfRedis) {
  RedisClient client(options_for(shared_redis().url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  std::promise<core::Result<core::WallTime>> answered;
  redis_time(client, 5s, [&](core::Result<core::WallTime> t) { answered.set_value(std::move(t)); });
  auto answer = answered.get_future();
  ASSERT_EQ(answer.wait_for(kPatience), std::future_status::ready);
  core::Result<core::WallTime> t = answer.get();
  ASSERT_TRUE(t.ok()) << t.status().message();
  // The same machine: the same day, whatever the load.
  EXPECT_LT(std::chrono::abs(t.value() - clock_.wall_now()), std::chrono::hours(24));
}

TEST_F(RedisClientTest, ReportsRoundTripsAndConnectionsForMetrics) {
  RedisClient client(options_for(shared_redis().url(), 2), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  for (int i = 0; i < 5; ++i) ASSERT_EQ(call_and_wait(client, {"PING"}).error, CallError::kNone);
  ASSERT_TRUE(testing::eventually(
      [&] { return registry_.render().find("gaia_redis_connections 2\n") != std::string::npos; },
      kPatience, 5ms))
      << registry_.render();
  const std::string text = registry_.render();
  // The five calls and start()'s CONFIG GET.
  EXPECT_NE(text.find("gaia_redis_round_trip_seconds_count 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("gaia_redis_errors_total{kind=\"timeout\"} 0\n"), std::string::npos) << text;
  client.stop();
  EXPECT_NE(registry_.render().find("gaia_redis_connections 0\n"), std::string::npos);
}

TEST_F(RedisClientTest, AnswersCallsAfterStopAtOnce) {
  RedisClient client(options_for(shared_redis().url()), clock_, &metrics_);
  ASSERT_TRUE(client.start().ok());
  client.stop();
  EXPECT_EQ(call_and_wait(client, {"PING"}).error, CallError::kDisconnected);
}

}  // namespace
}  // namespace gaia::cluster::redis
