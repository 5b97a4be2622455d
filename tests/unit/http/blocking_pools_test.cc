// Blocking routes through the real http::Server: each pool is a class of work with its own
// threads and a bounded queue; a full pool answers 503 with Retry-After at once, and another
// pool's routes go on being served.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "http/server.h"
#include "support/eventually.h"
#include "support/raw_http_client.h"
#include "support/real_clock.h"

namespace gaia::http {
namespace {

using gaia::testing::get_request;
using gaia::testing::http_get;
using gaia::testing::RawHttpConnection;
using gaia::testing::RawResponse;
using namespace std::chrono_literals;

// A server with two pools: "slow" (one thread, `queued` more waiting), whose route holds its
// thread until release(), and "other" (one thread), whose route answers at once.
class BlockingPoolsTest : public ::testing::Test {
 protected:
  void start(std::size_t queued) {
    Router router;
    router.add_pool("slow", {.threads = 1, .max_queued = queued});
    router.add_pool("other", {.threads = 1});
    router.add_blocking("GET", "/slow", "slow", [this](const Request&) {
      if (entries_.fetch_add(1) == 0) entered_.set_value();  // the first one holds
      released_.wait();
      return json_response(200, boost::json::object{{"slow", true}});
    });
    router.add_stream_blocking("GET", "/slow-stream", "slow",
                               [](const Request&, std::shared_ptr<ResponseStream> stream) {
                                 stream->begin(200, "text/plain");
                                 stream->write("done");
                                 stream->finish();
                               });
    router.add_blocking("GET", "/other", "other", [](const Request&) {
      return json_response(200, boost::json::object{{"other", true}});
    });
    ServerOptions o;
    o.port = 0;
    o.io_threads = 2;
    o.clock = &testing::real_clock();
    server_ = std::make_unique<Server>(o, std::move(router));
    ASSERT_TRUE(server_->start().ok());
  }
  // Sends GET /slow on `c` and waits until its handler holds the slow pool's thread.
  void hold_the_slow_thread(RawHttpConnection& c) {
    ASSERT_TRUE(c.send(get_request("/slow")));
    entered_.get_future().wait();
  }
  void release() { release_.set_value(); }
  ~BlockingPoolsTest() override {
    if (!released_once()) release_.set_value();
    server_.reset();
  }
  uint16_t port() const { return server_->port(); }

 private:
  bool released_once() { return released_.wait_for(0s) == std::future_status::ready; }
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  std::promise<void> entered_;
  std::atomic<int> entries_ = 0;
  std::unique_ptr<Server> server_;
};

TEST_F(BlockingPoolsTest, AFullPoolAnswers503WithRetryAfterWhileAnotherPoolServes) {
  start(0);
  RawHttpConnection held(port());
  hold_the_slow_thread(held);

  auto refused = http_get(port(), "/slow");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->headers["retry-after"], "1");
  EXPECT_EQ(boost::json::parse(refused->body).at("error"), "busy");

  auto stream_refused = http_get(port(), "/slow-stream");
  ASSERT_TRUE(stream_refused);
  EXPECT_EQ(stream_refused->status, 503);
  EXPECT_EQ(stream_refused->headers["retry-after"], "1");

  auto other = http_get(port(), "/other");  // another class is not held up by the full one
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);

  release();
  auto answer = held.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  // The thread is free again once the handler has returned, just after it answered.
  EXPECT_TRUE(gaia::testing::eventually(
      [&] {
        auto again = http_get(port(), "/slow");
        return again && again->status == 200;
      },
      5s, 5ms));
}

TEST_F(BlockingPoolsTest, APoolQueuesUpToItsBoundAndRefusesTheRest) {
  start(1);
  RawHttpConnection held(port());
  hold_the_slow_thread(held);
  // One of these waits in the queue, the other finds the pool full: which is which depends
  // on which the server reads first.
  RawHttpConnection first(port());
  RawHttpConnection second(port());
  ASSERT_TRUE(first.send(get_request("/slow")));
  ASSERT_TRUE(second.send(get_request("/slow")));
  auto a = std::async(std::launch::async, [&first] { return first.read_response(); });
  auto b = std::async(std::launch::async, [&second] { return second.read_response(); });
  // The refused one is answered while the slow handler still holds the pool's thread.
  std::future<std::optional<RawResponse>>* refused = nullptr;
  ASSERT_TRUE(gaia::testing::eventually(
      [&] {
        if (a.wait_for(0s) == std::future_status::ready) refused = &a;
        if (b.wait_for(0s) == std::future_status::ready) refused = &b;
        return refused != nullptr;
      },
      5s, 5ms));
  std::optional<RawResponse> full = refused->get();
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 503);

  release();
  EXPECT_EQ(held.read_response()->status, 200);
  std::optional<RawResponse> queued = (refused == &a ? b : a).get();
  ASSERT_TRUE(queued) << "the queued request is served once the thread is free";
  EXPECT_EQ(queued->status, 200);
}

}  // namespace
}  // namespace gaia::http
