// LiveRelay between two nodes on a real PostgreSQL database: another node's events arrive,
// a node's own do not come back, and what leaves a node is bounded in rate and size.

#include "cluster/live_relay.h"

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "cluster/change_feed.h"
#include "cluster_fixture.h"
#include "core/mutex.h"
#include "support/eventually.h"

namespace gaia::cluster {
namespace {

using namespace std::chrono_literals;

// One node's relay, fed by its own change feed, remembering what it delivered.
class Node {
 public:
  Node(store::ClusterStore& store, const core::Clock& clock, std::string id,
       LiveRelayOptions options = {})
      : relay_(
            store, clock, std::move(id),
            [this](std::string_view type, boost::json::object data) {
              core::MutexLock lock(mu_);
              got_.push_back(std::string(type) + " " + boost::json::serialize(data));
            },
            options),
        feed_(store, {}) {
    feed_.on_channel(std::string(kLiveChannel),
                     [this](const std::string& payload) { relay_.receive(payload); });
    relay_.start();
    feed_.start();
  }
  bool listening() const { return feed_.status().connected; }
  std::vector<std::string> got() const {
    core::MutexLock lock(mu_);
    return got_;
  }
  LiveRelay& relay() { return relay_; }

 private:
  mutable core::Mutex mu_;
  std::vector<std::string> got_ GUARDED_BY(mu_);
  LiveRelay relay_;
  ChangeFeed feed_;
};

class LiveRelayTest : public ClusterFixture {
 protected:
  void make_nodes(LiveRelayOptions options = {}) {
    a_ = std::make_unique<Node>(*cluster_, clock_, "a", options);
    b_ = std::make_unique<Node>(*cluster_, clock_, "b", options);
    ASSERT_TRUE(testing::eventually([&] { return a_->listening() && b_->listening(); }, 30s, 5ms));
  }
  std::unique_ptr<Node> a_, b_;
};

TEST_F(LiveRelayTest, AnotherNodesEventArrivesNamingItAndANodesOwnDoesNotComeBack) {
  make_nodes();
  a_->relay().send("violation", {{"user", "alice"}});
  ASSERT_TRUE(testing::eventually([&] { return b_->got().size() == 1; }, 30s, 5ms));
  EXPECT_EQ(b_->got()[0], R"(violation {"user":"alice","node":"a"})");
  // b's own event reaches a: by then a's own would have come back too, had it been delivered.
  b_->relay().send("alert", {{"rule", 1}});
  ASSERT_TRUE(testing::eventually([&] { return a_->got().size() == 1; }, 30s, 5ms));
  EXPECT_EQ(a_->got()[0], R"(alert {"rule":1,"node":"b"})");
  EXPECT_EQ(b_->got().size(), 1u);
}

TEST_F(LiveRelayTest, AtMostPerSecondEventsLeaveANodeAndALongOneGoesWithoutItsData) {
  make_nodes({.per_second = 3, .max_queued = 256, .max_bytes = 200});
  for (int i = 0; i < 5; ++i) a_->relay().send("violation", {{"n", i}});
  EXPECT_EQ(a_->relay().dropped(), 2u);
  clock_.advance(1s);
  a_->relay().send("violation", {{"text", std::string(500, 'x')}});
  ASSERT_TRUE(testing::eventually([&] { return b_->got().size() == 4; }, 30s, 5ms));
  EXPECT_EQ(b_->got()[2], R"(violation {"n":2,"node":"a"})");
  EXPECT_EQ(b_->got()[3].rfind(R"(violation {"truncated":true,"bytes":)", 0), 0u) << b_->got()[3];
}

TEST_F(LiveRelayTest, MalformedPayloadsAreIgnored) {
  std::vector<std::string> got;
  LiveRelay relay(*cluster_, clock_, "a",
                  [&](std::string_view type, boost::json::object) { got.emplace_back(type); });
  for (const char* bad : {"", "not json", "[]", R"({"node":"b"})",
                          R"({"node":1,"type":"x",)"
                          R"("data":{}})",
                          R"({"node":"b","type":"x","data":[]})"}) {
    relay.receive(bad);
  }
  EXPECT_TRUE(got.empty());
  relay.receive(R"({"node":"b","type":"x","data":{}})");
  EXPECT_EQ(got, std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace gaia::cluster
