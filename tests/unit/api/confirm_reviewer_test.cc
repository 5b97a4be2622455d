// ReviewerClient against a real HTTP reviewer on loopback (Gaia's own server, port 0):
// approving, denying, too slow, answering garbage, and nobody listening.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <future>
#include <mutex>
#include <vector>

#include "api/reviewer_client.h"
#include "http/server.h"
#include "support/loopback_port.h"
#include "support/loopback_server.h"
#include "support/tls_peer.h"

namespace gaia::api {
namespace {

using namespace std::chrono_literals;

// A reviewer whose answer the test chooses; "hang" never answers until the test ends.
class FakeReviewer {
 public:
  explicit FakeReviewer(std::string mode) : mode_(std::move(mode)) {
    http::Router router;
    router.add_async("POST", "/review", [this](const http::Request& req, http::Responder respond) {
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(req.body);
      }
      if (mode_ == "hang") {
        server_->hold(std::move(respond));
        return;
      }
      http::Response r;
      if (mode_ == "garbage") {
        r.body = "<html>not json</html>";
      } else if (mode_ == "error") {
        r = http::error_response(500, "boom", "broken");
      } else {
        r = http::json_response(200, {{"decision", mode_}, {"reason", "reviewed: " + mode_}});
      }
      respond(std::move(r));
    });
    server_ = std::make_unique<testing::LoopbackServer>(std::move(router));
  }
  std::string url() const { return server_->url("/review"); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  std::string mode_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::unique_ptr<testing::LoopbackServer> server_;  // last: stops before the state above goes
};

std::unique_ptr<ReviewerClient> client(std::string url, std::chrono::milliseconds timeout = 2000ms,
                                       size_t max_inflight = 4) {
  auto c = ReviewerClient::make({std::move(url), timeout, max_inflight});
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c.value()) : nullptr;
}

confirm::ReviewerQuestion question() {
  return {"make deploy", "/src", "shell", "s-1", "Bash", "ann", {"make deploy"}};
}

TEST(ReviewerClientTest, AnApprovingReviewerApprovesAndSeesTheCommandAndContext) {
  FakeReviewer reviewer("approve");
  auto answer = client(reviewer.url())->ask(question());
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->verdict, confirm::Verdict::kApprove);
  EXPECT_EQ(answer->reason, "reviewed: approve");
  ASSERT_EQ(reviewer.bodies().size(), 1u);
  boost::json::value sent = boost::json::parse(reviewer.bodies()[0]);
  EXPECT_EQ(sent.at("command"), "make deploy");
  EXPECT_EQ(sent.at("cwd"), "/src");
  EXPECT_EQ(sent.at("user"), "ann");
  EXPECT_EQ(sent.at("tool"), "Bash");
  EXPECT_EQ(sent.at("parts").as_array().size(), 1u);
}

TEST(ReviewerClientTest, ADenyingReviewerDenies) {
  FakeReviewer reviewer("deny");
  auto answer = client(reviewer.url())->ask(question());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->verdict, confirm::Verdict::kDeny);
}

TEST(ReviewerClientTest, ASlowReviewerTimesOutAsUnavailable) {
  FakeReviewer reviewer("hang");
  auto answer = client(reviewer.url(), 200ms)->ask(question());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(answer.status().message().find("timed out"), std::string::npos)
      << answer.status().message();
}

TEST(ReviewerClientTest, GarbageIsAnUnreadableAnswer) {
  FakeReviewer reviewer("garbage");
  auto answer = client(reviewer.url())->ask(question());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(ReviewerClientTest, AnErrorStatusIsUnavailable) {
  FakeReviewer reviewer("error");
  auto answer = client(reviewer.url())->ask(question());
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.status().message().find("HTTP 500"), std::string::npos);
}

TEST(ReviewerClientTest, ARefusedConnectionIsUnavailable) {
  auto answer = client("http://127.0.0.1:" + std::to_string(testing::free_port()) + "/review")
                    ->ask(question());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(answer.status().message().find("connect"), std::string::npos)
      << answer.status().message();
}

TEST(ReviewerClientTest, CallsOverTheBoundAreRefusedAtOnce) {
  FakeReviewer reviewer("hang");
  auto c = client(reviewer.url(), 300ms, 1);
  std::promise<core::Result<confirm::ReviewerAnswer>> first;
  c->ask_async(question(),
               [&](core::Result<confirm::ReviewerAnswer> a) { first.set_value(std::move(a)); });
  // The first call took the only slot before ask_async returned: the second is refused at
  // once, on this thread, without reaching the reviewer.
  auto second = c->ask(question());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("busy"), std::string::npos);
  EXPECT_FALSE(first.get_future().get().ok());  // the slow reviewer's deadline
  EXPECT_LE(reviewer.bodies().size(), 1u);
}

TEST(ReviewerClientTest, AnHttpsReviewerIsCheckedAgainstTheCaFile) {
  FakeReviewer reviewer("approve");
  const std::string plain = reviewer.url();  // http://127.0.0.1:PORT/review
  testing::TlsPeer tls(static_cast<uint16_t>(std::stoi(plain.substr(plain.rfind(':') + 1))));
  ASSERT_TRUE(tls.ok()) << "openssl or python3 could not start the TLS front";
  auto trusted = ReviewerClient::make({tls.url("/review"), 5000ms, 4, tls.ca_file()});
  ASSERT_TRUE(trusted.ok()) << trusted.status().message();
  auto answer = trusted.value()->ask(question());
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->verdict, confirm::Verdict::kApprove);
  auto unknown = client(tls.url("/review"), 5000ms)->ask(question());  // the system's CAs
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.status().message().starts_with("reviewer TLS: "))
      << unknown.status().message();
}

TEST(ReviewerClientTest, OnlyHttpAndHttpsUrlsAreAccepted) {
  EXPECT_FALSE(ReviewerClient::make({"ftp://r.example/x"}).ok());
  EXPECT_TRUE(ReviewerClient::make({"https://r.example/x"}).ok());
  EXPECT_FALSE(ReviewerClient::make({"http://:80/x"}).ok());
  EXPECT_FALSE(ReviewerClient::make({"http://h:99999/x"}).ok());
  EXPECT_TRUE(ReviewerClient::make({"http://[::1]:8081"}).ok());
}

TEST(ReviewerAnswerTest, ReadsDecisionAndReason) {
  auto a = parse_reviewer_answer(R"({"decision":"ask","reason":"unsure"})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->verdict, confirm::Verdict::kAsk);
  EXPECT_EQ(a->reason, "unsure");
  EXPECT_FALSE(parse_reviewer_answer(R"({"decision":"maybe"})").ok());
  EXPECT_FALSE(parse_reviewer_answer(R"([1])").ok());
}

}  // namespace
}  // namespace gaia::api
