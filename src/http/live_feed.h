#pragma once
// LiveFeed: where handlers announce what just happened to whoever watches live (the admin
// WebSocket, see ws_hub.h). Message types: "violation", "alert", "config_changed" (data
// {what, action, id, by}), and any other the hub's clients understand.
//
// Threads: publish() from any thread; it never blocks on a client.

#include <boost/json/object.hpp>
#include <string_view>

namespace gaia::http {

class LiveFeed {
 public:
  virtual ~LiveFeed() = default;
  virtual void publish(std::string_view type, boost::json::object data) = 0;
};

}  // namespace gaia::http
