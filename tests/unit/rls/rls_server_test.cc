#include "rls/rls_server.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "envoy/service/ratelimit/v3/rls.grpc.pb.h"
#include "exec/quota_check.h"
#include "identity/directory.h"
#include "metrics/registry.h"
#include "support/directory_on_sqlite.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"
#include "unit/core/test_rules.h"

namespace gaia::rls {
namespace {

namespace v3 = envoy::service::ratelimit::v3;

class NoObserver : public exec::CheckObserver {
 public:
  void checked(std::string_view, bool, std::string_view, double) override {}
};

// The listener on a real SQLite store, answering for alice, whose shell quota is kQuota a day.
class RlsServerTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kQuota = 100;
  static constexpr unsigned kQueues = 3;

  void SetUp() override {
    testing::open_directory_on_sqlite(dir_, clock_, store_, directory_);
    if (HasFatalFailure()) return;
    auto alice = directory_->create_user("alice", core::Tier::kDefault, 1);
    ASSERT_TRUE(alice.ok());
    auto key = directory_->create_key("alice", store::Role::kUser, "", 1);
    ASSERT_TRUE(key.ok());
    key_ = key->key;
    limiter_ = std::make_unique<core::Limiter>(
        testing::compile_or_die(
            {testing::rule_for(testing::user_subject(alice->id), "shell",
                               {core::LimitSpec::calendar(kQuota, core::CalendarPeriod::kDay)})}),
        core::LimiterOptions{});
    quota_ = std::make_unique<exec::QuotaCheck>(*limiter_, *store_, clock_, observer_);
    auto domains = parse_domains("gaia");
    ASSERT_TRUE(domains.ok());
    server_ = std::make_unique<RlsServer>(
        RlsOptions{"127.0.0.1", 0, std::move(domains.value()), TrustedPeers{}, kQueues}, *quota_,
        *directory_, registry_, clock_);
    ASSERT_TRUE(server_->start().ok());
  }

  // A stub on a connection of its own (gRPC shares one between channels of equal arguments).
  std::unique_ptr<v3::RateLimitService::Stub> connect(int n) {
    grpc::ChannelArguments args;
    args.SetInt("gaia.test.connection", n);
    return v3::RateLimitService::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials(), args));
  }

  v3::RateLimitRequest shell_request() const {
    v3::RateLimitRequest request;
    request.set_domain("gaia");
    auto* descriptor = request.add_descriptors();
    auto* principal = descriptor->add_entries();
    principal->set_key("api_key");
    principal->set_value(key_);
    auto* type = descriptor->add_entries();
    type->set_key("type");
    type->set_value("shell");
    return request;
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<identity::Directory> directory_;
  std::string key_;
  std::unique_ptr<core::Limiter> limiter_;
  NoObserver observer_;
  std::unique_ptr<exec::QuotaCheck> quota_;
  metrics::MetricsRegistry registry_;
  std::unique_ptr<RlsServer> server_;
};

TEST_F(RlsServerTest, CallsOnManyConnectionsAndQueuesAreAdmittedExactlyToTheQuota) {
  constexpr int kClients = 6;
  constexpr int kCallsEach = 50;
  std::atomic<int> ok{0}, over{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = connect(c);
      const v3::RateLimitRequest request = shell_request();
      for (int i = 0; i < kCallsEach; ++i) {
        grpc::ClientContext context;
        v3::RateLimitResponse response;
        if (!stub->ShouldRateLimit(&context, request, &response).ok()) {
          ++failed;
        } else if (response.overall_code() == v3::RateLimitResponse::OK) {
          ++ok;
        } else {
          ++over;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(ok.load(), static_cast<int>(kQuota));
  EXPECT_EQ(over.load(), kClients * kCallsEach - static_cast<int>(kQuota));
  const boost::json::object health = server_->health_json();
  EXPECT_EQ(health.at("threads").as_uint64(), kQueues);
  EXPECT_EQ(health.at("calls").as_uint64(), static_cast<uint64_t>(kClients * kCallsEach));
}

TEST_F(RlsServerTest, StopsWhileCallsAreArrivingAndAnswersNoMore) {
  std::atomic<bool> stopped{false};
  std::atomic<int> answered{0}, failed_after_stop{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      auto stub = connect(c);
      const v3::RateLimitRequest request = shell_request();
      // Calls until the stopped server refuses them (the first may still be answered).
      for (int failures = 0; failures < 3;) {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        v3::RateLimitResponse response;
        const bool was_stopped = stopped.load();
        if (stub->ShouldRateLimit(&context, request, &response).ok()) {
          ++answered;
        } else if (was_stopped) {
          ++failures;
          ++failed_after_stop;
        }
      }
    });
  }
  while (answered.load() < 200) std::this_thread::yield();
  server_->stop();
  stopped = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed_after_stop.load(), 4 * 3);
  EXPECT_FALSE(server_->health_json().at("listening").as_bool());
}

}  // namespace
}  // namespace gaia::rls
