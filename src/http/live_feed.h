#pragma once
// LiveFeed: where handlers announce what just happened to whoever watches live (the admin
// WebSocket, see ws_hub.h). Message types: "violation", "alert", "config_changed" (data
// {what, action, id, by}), and any other the hub's clients understand.
//
// Threads: publish() from any thread; it never blocks on a client.

#include <boost/json/object.hpp>
#include <functional>
#include <string_view>

namespace gaia::http {

class LiveFeed {
 public:
  virtual ~LiveFeed() = default;
  virtual void publish(std::string_view type, boost::json::object data) = 0;
  // As publish(type, build()), calling `build` only for a message the feed sends: one that a
  // feed folds into a count (a flood of refusals) costs no formatting. `build` runs at most
  // once, on the caller's thread, before this returns.
  virtual void publish_built(std::string_view type,
                             const std::function<boost::json::object()>& build) {
    publish(type, build());
  }
};

}  // namespace gaia::http
