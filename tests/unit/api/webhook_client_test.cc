// WebhookClient against a real HTTP receiver on loopback (Gaia's own server, port 0): a
// signed and timestamped delivery the receiver verifies (a replay outside the window refused),
// a retry after a 500, nobody listening, a receiver
// that never answers, and the queue's bound.

#include "api/webhook_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "http/server.h"
#include "support/eventually.h"
#include "support/loopback_port.h"
#include "support/loopback_server.h"

namespace gaia::api {
namespace {

using namespace std::chrono_literals;

struct Received {
  std::string body;
  std::string signature;
  std::string timestamp;
  std::string content_type;
};

// A receiver answering each POST /hook with the next status of `statuses` (the last one
// repeats); status 0 holds the request unanswered until the receiver is destroyed.
class Receiver {
 public:
  explicit Receiver(std::vector<unsigned> statuses) : statuses_(std::move(statuses)) {
    http::Router router;
    router.add_async("POST", "/hook", [this](const http::Request& req, http::Responder respond) {
      unsigned status;
      {
        std::lock_guard lock(mu_);
        got_.push_back({req.body, std::string(req.header("X-Gaia-Signature")),
                        std::string(req.header("X-Gaia-Timestamp")),
                        std::string(req.header("Content-Type"))});
        status = statuses_[std::min(got_.size(), statuses_.size()) - 1];
      }
      if (status == 0) {
        server_->hold(std::move(respond));
        return;
      }
      respond(http::json_response(status, {{"ok", status < 300}}));
    });
    server_ = std::make_unique<testing::LoopbackServer>(std::move(router));
  }
  std::string url() const { return server_->url("/hook"); }
  std::vector<Received> got() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  std::vector<unsigned> statuses_;
  std::mutex mu_;
  std::vector<Received> got_;
  std::unique_ptr<testing::LoopbackServer> server_;  // last: stops before the state above goes
};

// The signatures' time: 2026-01-05 00:00:00 UTC.
constexpr int64_t kSigningSeconds = 1767571200;

// Signs at kSigningSeconds; the backoffs wait on real monotonic time.
class SigningClock : public core::Clock {
 public:
  core::MonoTime mono_now() const override { return std::chrono::steady_clock::now(); }
  core::WallTime wall_now() const override {
    return core::WallTime(std::chrono::seconds(kSigningSeconds));
  }
};

const core::Clock& signing_clock() {
  static const SigningClock clock;
  return clock;
}

std::unique_ptr<WebhookClient> client(std::string url, WebhookOptions o = {.first_backoff = 20ms,
                                                                           .max_backoff = 40ms}) {
  o.url = std::move(url);
  if (o.secret.empty()) o.secret = "s3cret";
  auto c = WebhookClient::make(std::move(o), signing_clock());
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c.value()) : nullptr;
}

// Waits (without asserting any duration) until `done` holds or ten seconds pass.
template <class Fn>
bool eventually(Fn done) {
  return testing::eventually(done, 10s, 10ms);
}

// The receiver's own check, as docs/alerts.md tells it: the timestamp within five minutes of
// the receiver's `now_s`, then HMAC-SHA256 of "<timestamp>.<body>" with the shared secret,
// compared in constant time.
bool signature_valid(std::string_view secret, const Received& r, int64_t now_s = kSigningSeconds) {
  constexpr std::string_view kPrefix = "sha256=";
  if (r.timestamp.empty() || r.timestamp.find_first_not_of("0123456789") != std::string::npos ||
      r.timestamp.size() > 12) {
    return false;
  }
  if (std::abs(now_s - std::stoll(r.timestamp)) > 300) return false;
  if (!std::string_view(r.signature).starts_with(kPrefix)) return false;
  const std::string hex = r.signature.substr(kPrefix.size());
  unsigned char sent[crypto_auth_hmacsha256_BYTES];
  size_t sent_len = 0;
  if (sodium_hex2bin(sent, sizeof sent, hex.data(), hex.size(), nullptr, &sent_len, nullptr) != 0 ||
      sent_len != sizeof sent) {
    return false;
  }
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  const std::string signed_text = r.timestamp + "." + r.body;
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                signed_text.size());
  unsigned char expected[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, expected);
  return sodium_memcmp(sent, expected, sizeof sent) == 0;
}

TEST(WebhookClientTest, DeliversTheBodySignedWithTheSecret) {
  Receiver receiver({200});
  auto c = client(receiver.url());
  const std::string body = R"({"event":"firing","alert":{"id":1}})";
  ASSERT_TRUE(c->enqueue(body));
  ASSERT_TRUE(eventually([&] { return c->health().delivered == 1; }));
  auto got = receiver.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, body);
  EXPECT_EQ(got[0].content_type, "application/json");
  EXPECT_EQ(got[0].timestamp, std::to_string(kSigningSeconds));
  EXPECT_TRUE(signature_valid("s3cret", got[0])) << got[0].signature;
  EXPECT_FALSE(signature_valid("other", got[0]));
  Received tampered = got[0];
  tampered.body += " ";
  EXPECT_FALSE(signature_valid("s3cret", tampered));
  EXPECT_EQ(c->health().queued, 0u);
  EXPECT_EQ(c->health().failed, 0u);
}

TEST(WebhookClientTest, AClientWithoutAUrlDeliversEachPayloadToItsOwnUrlSigned) {
  Receiver first({200});
  Receiver second({200});
  auto c = client("");
  ASSERT_TRUE(c->enqueue_to(first.url(), R"({"n":1})"));
  ASSERT_TRUE(c->enqueue_to(second.url(), R"({"n":2})"));
  ASSERT_TRUE(eventually([&] { return c->health().delivered == 2; }));
  ASSERT_EQ(first.got().size(), 1u);
  ASSERT_EQ(second.got().size(), 1u);
  EXPECT_EQ(first.got()[0].body, R"({"n":1})");
  EXPECT_EQ(second.got()[0].body, R"({"n":2})");
  EXPECT_TRUE(signature_valid("s3cret", second.got()[0]));
}

TEST(WebhookClientTest, APayloadForAUrlThatDoesNotParseCountsAsFailed) {
  auto c = client("");
  EXPECT_FALSE(c->enqueue_to("ftp://hooks.example/x", "{}"));
  const WebhookHealth h = c->health();
  EXPECT_EQ(h.failed, 1u);
  EXPECT_EQ(h.queued, 0u);
  EXPECT_FALSE(h.last_error.empty());
}

TEST(WebhookClientTest, TheTimestampIsSignedSoAReplayLaterIsRefused) {
  Receiver receiver({200});
  auto c = client(receiver.url());
  ASSERT_TRUE(c->enqueue(R"({"event":"firing"})"));
  ASSERT_TRUE(eventually([&] { return c->health().delivered == 1; }));
  const Received got = receiver.got().at(0);
  EXPECT_TRUE(signature_valid("s3cret", got, kSigningSeconds + 300));
  // The same delivery replayed six minutes later fails the receiver's window ...
  EXPECT_FALSE(signature_valid("s3cret", got, kSigningSeconds + 360));
  // ... and a fresh timestamp put on it breaks the signature.
  Received restamped = got;
  restamped.timestamp = std::to_string(kSigningSeconds + 360);
  EXPECT_FALSE(signature_valid("s3cret", restamped, kSigningSeconds + 360));
}

TEST(WebhookClientTest, RetriesWhenTheReceiverFirstAnswers500) {
  Receiver receiver({500, 200});
  auto c = client(receiver.url());
  ASSERT_TRUE(c->enqueue(R"({"n":1})"));
  ASSERT_TRUE(eventually([&] { return c->health().delivered == 1; }));
  auto got = receiver.got();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, got[1].body);
  EXPECT_TRUE(signature_valid("s3cret", got[1]));
  const WebhookHealth h = c->health();
  EXPECT_EQ(h.retries, 1u);
  EXPECT_EQ(h.failed, 0u);
  EXPECT_NE(h.last_error.find("HTTP 500"), std::string::npos) << h.last_error;
}

TEST(WebhookClientTest, GivesUpAfterMaxAttemptsWhenNobodyListens) {
  WebhookOptions o{.first_backoff = 20ms, .max_backoff = 40ms};
  o.max_attempts = 3;
  auto c = client("http://127.0.0.1:" + std::to_string(testing::free_port()) + "/hook", o);
  ASSERT_TRUE(c->enqueue("{}"));
  ASSERT_TRUE(eventually([&] { return c->health().failed == 1; }));
  const WebhookHealth h = c->health();
  EXPECT_EQ(h.retries, 2u);
  EXPECT_EQ(h.delivered, 0u);
  EXPECT_NE(h.last_error.find("connect"), std::string::npos) << h.last_error;
}

TEST(WebhookClientTest, ASilentReceiverTimesOutAndTheQueueStaysBounded) {
  Receiver receiver({0});
  WebhookOptions o{.first_backoff = 20ms, .max_backoff = 40ms};
  o.timeout = 200ms;
  o.max_attempts = 1;
  o.max_queued = 2;
  auto c = client(receiver.url(), o);
  ASSERT_TRUE(c->enqueue("1"));
  ASSERT_TRUE(eventually([&] { return receiver.got().size() == 1; }));
  // The first is being sent (still queued), the second waits, the third is refused at once.
  EXPECT_TRUE(c->enqueue("2"));
  EXPECT_FALSE(c->enqueue("3"));
  EXPECT_EQ(c->health().dropped, 1u);
  ASSERT_TRUE(eventually([&] { return c->health().failed >= 1; }));
  EXPECT_NE(c->health().last_error.find("timed out"), std::string::npos) << c->health().last_error;
}

std::string nobody_listening() {
  return "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/hook";
}

std::vector<std::string> bodies(const std::vector<Received>& got) {
  std::vector<std::string> out;
  for (const Received& r : got) out.push_back(r.body);
  return out;
}

TEST(WebhookClientTest, AUrlWaitingOutItsBackoffHoldsUpNoOtherUrl) {
  Receiver up({200});
  // One sender; the dead receiver's payload is retried only after a minute.
  auto c = client("", {.first_backoff = 60s, .max_backoff = 60s, .senders = 1});
  ASSERT_TRUE(c->enqueue_to(nobody_listening(), R"({"to":"down"})"));
  ASSERT_TRUE(eventually([&] { return !c->health().last_error.empty(); }));
  ASSERT_TRUE(c->enqueue_to(up.url(), R"({"n":1})"));
  ASSERT_TRUE(c->enqueue_to(up.url(), R"({"n":2})"));
  ASSERT_TRUE(eventually([&] { return up.got().size() == 2; }));
  EXPECT_EQ(bodies(up.got()), (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));
  const WebhookHealth h = c->health();
  EXPECT_EQ(h.delivered, 2u);
  EXPECT_EQ(h.queued, 1u);  // the dead receiver's, waiting for its next attempt
  EXPECT_EQ(h.failed, 0u);
}

TEST(WebhookClientTest, AReceiverThatNeverAnswersHoldsOneSenderAndTheOthersServeTheRest) {
  auto silent = std::make_unique<Receiver>(std::vector<unsigned>{0});
  Receiver up({200});
  auto c = client("", {.timeout = 60s, .first_backoff = 20ms, .max_backoff = 40ms, .senders = 2});
  ASSERT_TRUE(c->enqueue_to(silent->url(), R"({"to":"silent"})"));
  ASSERT_TRUE(eventually([&] { return silent->got().size() == 1; }));  // held, unanswered
  ASSERT_TRUE(c->enqueue_to(up.url(), R"({"n":1})"));
  ASSERT_TRUE(eventually([&] { return c->health().delivered == 1; }));
  EXPECT_EQ(bodies(up.got()), (std::vector<std::string>{R"({"n":1})"}));
  EXPECT_EQ(c->health().queued, 1u);
  silent.reset();  // its connection closes: the held attempt ends, and the client can stop
}

TEST(WebhookClientTest, PayloadsToOneUrlArriveInOrderWhateverTheSenders) {
  Receiver up({200});
  auto c = client("", {.first_backoff = 20ms, .max_backoff = 40ms, .senders = 4});
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    sent.push_back("{\"n\":" + std::to_string(i) + "}");
    ASSERT_TRUE(c->enqueue_to(up.url(), sent.back()));
  }
  ASSERT_TRUE(eventually([&] { return c->health().delivered == 20; }));
  EXPECT_EQ(bodies(up.got()), sent);
}

TEST(WebhookClientTest, OneUrlCannotFillTheRoomOfTheOthers) {
  Receiver up({200});
  auto c = client("", {.first_backoff = 60s,
                       .max_backoff = 60s,
                       .max_queued = 10,
                       .max_queued_per_url = 3,
                       .senders = 2});
  const std::string down = nobody_listening();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c->enqueue_to(down, "{}"));
  EXPECT_FALSE(c->enqueue_to(down, "{}"));
  EXPECT_EQ(c->health().dropped, 1u);
  ASSERT_TRUE(c->enqueue_to(up.url(), R"({"n":1})"));
  ASSERT_TRUE(eventually([&] { return c->health().delivered == 1; }));
  EXPECT_EQ(c->health().queued, 3u);
}

TEST(WebhookClientTest, RefusesABadConfiguration) {
  EXPECT_EQ(WebhookClient::make({.url = "ftp://x/"}, signing_clock()).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(WebhookClient::make({.url = "http://x:0/"}, signing_clock()).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      WebhookClient::make({.url = "http://x/", .max_attempts = 0}, signing_clock()).status().code(),
      core::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      WebhookClient::make({.url = "http://x/", .senders = 0}, signing_clock()).status().code(),
      core::StatusCode::kInvalidArgument);
  EXPECT_EQ(WebhookClient::make({.url = "http://x/", .max_queued_per_url = 0}, signing_clock())
                .status()
                .code(),
            core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gaia::api
