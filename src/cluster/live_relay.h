#pragma once
// LiveRelay: the live events of every node (violations, alerts) on any node's WebSocket.
// send() queues an event of this node; a thread of the relay notifies kLiveChannel with
// {"node", "type", "data"}; every node's change feed hands what arrives on that channel to
// receive(), which delivers the events of the other nodes. Bounded on both sides:
//   - at most `per_second` events a second leave a node (the rest are counted as dropped),
//     and at most `max_queued` wait for the database (likewise);
//   - an event whose text is longer than `max_bytes` goes without its data
//     ({"truncated": true, "bytes": n}), so a payload never passes PostgreSQL's limit.
// The database is never waited on by send(): a request path may call it.
//
// Ownership: borrows the store and clock, which must outlive the relay. Threads: send(),
// receive() and dropped() from any thread; start() and stop() from one controlling thread.

#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "core/clock.h"
#include "core/mutex.h"
#include "store/cluster_store.h"

namespace gaia::cluster {

inline constexpr std::string_view kLiveChannel = "gaia_live";

struct LiveRelayOptions {
  uint32_t per_second = 50;
  size_t max_queued = 256;
  size_t max_bytes = 4'000;
};

class LiveRelay {
 public:
  // Gets another node's event; called on the change feed's thread.
  using Deliver = std::function<void(std::string_view type, boost::json::object data)>;

  LiveRelay(store::ClusterStore& store, const core::Clock& clock, std::string node_id,
            Deliver deliver, LiveRelayOptions options = {});
  ~LiveRelay();  // stop()s
  LiveRelay(const LiveRelay&) = delete;
  LiveRelay& operator=(const LiveRelay&) = delete;

  void start();
  void stop();  // idempotent; what is still queued is dropped

  // Queues this node's event for the other nodes.
  void send(std::string_view type, const boost::json::object& data);
  // A payload from kLiveChannel: delivered unless it is this node's own or malformed.
  void receive(const std::string& payload);

  uint64_t dropped() const;

 private:
  void run();

  store::ClusterStore& store_;
  const core::Clock& clock_;
  const std::string node_id_;
  const Deliver deliver_;
  const LiveRelayOptions options_;
  std::thread thread_;

  mutable core::Mutex mu_;
  core::CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::deque<std::string> queue_ GUARDED_BY(mu_);
  int64_t second_ GUARDED_BY(mu_) = -1;  // the second (monotonic) sent_this_second_ counts
  uint32_t sent_this_second_ GUARDED_BY(mu_) = 0;
  uint64_t dropped_ GUARDED_BY(mu_) = 0;
};

}  // namespace gaia::cluster
