#pragma once
// ChangeFeed: brings what other nodes change into this node's memory. It listens on a
// dedicated database connection (store::ClusterStore::listen) for the notices a committed
// write of a table sends, and calls the reload of every target that reads that table, on
// the feed's own thread, within a poll interval of the commit. Each (re)connection starts
// with a full reload of every target, after LISTEN, so a notice missed while the connection
// was down cannot leave the node stale. A reload that fails drops the connection: the next
// one reloads everything again. Notices on other channels go to their handlers (the relay).
//
// Ownership: borrows the store, which must outlive the feed. Threads: start() and stop()
// from one controlling thread; status() from any; targets and handlers run on the feed's
// thread, one at a time.
//
// Example:
//   ChangeFeed feed(cluster_store, {{{"users", "api_keys"}, [&] { return dir.reload(); }}});
//   feed.start();  ...  feed.stop();

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "store/cluster_store.h"

namespace gaia::cluster {

struct ChangeTarget {
  std::vector<std::string> tables;  // a write of any of these calls reload
  std::function<core::Status()> reload;
};

struct ChangeFeedOptions {
  std::chrono::milliseconds poll{200};         // the longest wait for a notice, and for stop()
  std::chrono::milliseconds retry_min{100};    // first wait before reconnecting
  std::chrono::milliseconds retry_max{2'000};  // the wait doubles up to this
};

struct ChangeFeedStatus {
  bool connected = false;
  uint64_t connections = 0;   // listening connections made (each began with a full reload)
  uint64_t full_reloads = 0;  // complete ones
  uint64_t notices = 0;       // change notices received
  std::string last_error;     // why the connection was last lost, or empty
};

class ChangeFeed {
 public:
  using Handler = std::function<void(const std::string& payload)>;

  ChangeFeed(store::ClusterStore& store, std::vector<ChangeTarget> targets,
             ChangeFeedOptions options = {});
  ~ChangeFeed();  // stop()s
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // `handler` gets every notice on `channel`. Before start().
  void on_channel(std::string channel, Handler handler);

  void start();
  void stop();  // idempotent; returns once the thread has ended

  ChangeFeedStatus status() const;

 private:
  void run();
  // Listens until the connection is lost or stop(); false when it could not listen.
  bool serve(store::NoticeListener& listener);
  // Every target's reload; false (with the error noted) when one failed.
  bool reload(const std::vector<bool>& which);
  void lost(const core::Status& why);
  // Waits `d` unless stop() comes first; false on stop().
  bool pause(std::chrono::milliseconds d);
  bool stopping() const;

  store::ClusterStore& store_;
  const std::vector<ChangeTarget> targets_;
  const ChangeFeedOptions options_;
  std::map<std::string, Handler> handlers_;  // set before start()
  std::thread thread_;

  mutable core::Mutex mu_;
  core::CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  ChangeFeedStatus status_ GUARDED_BY(mu_);
};

}  // namespace gaia::cluster
