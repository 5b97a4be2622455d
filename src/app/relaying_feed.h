#pragma once
// RelayingFeed: the live feed this node's own events go to: its WebSocket hub, and, on a
// cluster, also the relay that shows them on every other node (cluster/live_relay.h).
// Events that come from other nodes are published on the hub directly, never relayed again.
//
// Threads: publish() from any thread; relay_to() once, on the main thread, before anything
// publishes.

#include <boost/json/object.hpp>
#include <functional>
#include <string_view>
#include <utility>

#include "http/live_feed.h"

namespace gaia::app {

class RelayingFeed final : public http::LiveFeed {
 public:
  using Forward = std::function<void(std::string_view type, const boost::json::object& data)>;

  // `local` must outlive the feed.
  explicit RelayingFeed(http::LiveFeed& local) : local_(local) {}

  void relay_to(Forward forward) { forward_ = std::move(forward); }

  void publish(std::string_view type, boost::json::object data) override {
    if (forward_) forward_(type, data);
    local_.publish(type, std::move(data));
  }
  // Alone, the local feed decides whether the message is built; relayed, it always is.
  void publish_built(std::string_view type,
                     const std::function<boost::json::object()>& build) override {
    if (forward_) return publish(type, build());
    local_.publish_built(type, build);
  }

 private:
  http::LiveFeed& local_;
  Forward forward_;
};

}  // namespace gaia::app
