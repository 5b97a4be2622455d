#pragma once
// WsHub: the live feed of the admin WebSocket (/ws/admin/quotas). Every message is a JSON
// object {"type", "ts" (ms since the epoch), "data"}:
//   stats           every stats_interval, from the stats provider the application supplies;
//   violation, alert, config_changed, ...   whatever publish() is given, as it happens;
//   folded          {"counts": {kind: n, ...}, "since_ms"}: the events of each kind that were
//                   over the kind's rate since since_ms, counted instead of sent;
//   hello           once, to one client, when it is authenticated.
// Events are bounded at the source, whoever causes them: every string in an event's data is
// capped (core/capped_text.h), and each kind sends at most events_per_second a second; the
// rest are folded into one "folded" summary, sent before the next event of a later second
// and with the stats. So a flood of one user's traffic costs each client at most (kinds x
// rate x capped size) a second, which a dashboard reads easily, and never closes it.
// The hub pings each client every ping_interval and closes one it has not heard from (any
// frame, pongs included) for silent_timeout.
//
// Each client is registered with the credential it proved itself with, an id the hub does
// not interpret (the application's key id). revalidate() ends, with close code 1008 (policy
// violation), every client whose credential the application no longer admits; a client whose
// credential lapsed between its handshake and its registration is ended at registration.
//
// A slow client never slows the others: each client has its own bounded queue, a stats
// message still waiting is replaced by the newer one (counted as dropped), and a client whose
// queue passes the bound is closed (counted as closed_slow). Each message is serialised once
// and shared by every queue.
//
// Ownership: the application owns the hub; it must outlive the Server whose upgrade route
// hands it connections (sessions call back into it until the Server's io threads end).
// Threads: publish() and health() from any thread; start() and stop() from one controlling
// thread. The stats provider runs on the hub's own thread.
//
// Example:
//   WsHub hub(clock, [&] { return boost::json::object{{"running", 3}}; }, check_key,
//             still_valid, {});
//   hub.start();
//   add_ws_routes(router, hub, directory);   // api/ws_routes.h
//   ... hub.publish("violation", {{"user", "alice"}});
//   hub.stop();      // before server.stop()

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/capped_text.h"
#include "core/clock.h"
#include "core/mutex.h"
#include "http/live_feed.h"

namespace gaia::http {

struct Upgrade;

struct WsHubOptions {
  std::chrono::milliseconds stats_interval{5'000};
  std::chrono::milliseconds ping_interval{10'000};
  std::chrono::milliseconds silent_timeout{30'000};
  // A client that authenticates by its first message must send it within this.
  std::chrono::milliseconds auth_timeout{5'000};
  std::size_t max_queued_messages = 64;        // per client; past it the client is closed
  std::size_t max_queued_bytes = 1024 * 1024;  // per client; likewise
  std::size_t max_incoming_bytes = 4096;       // a larger message from a client closes it (1009)
  // Every string in an event's data is capped to this many bytes (at least core::kMinTextCap).
  std::size_t max_event_text_bytes = core::kMaxStoredTextBytes;
  // Events of one kind sent per wall-clock second; the rest are folded (counted).
  uint32_t events_per_second = 10;
};

// GET /api/ws/health.
struct WsHealth {
  uint64_t clients = 0;        // authenticated clients connected now
  uint64_t messages_sent = 0;  // messages written to clients (pings not counted)
  uint64_t dropped = 0;        // stats replaced by newer ones before they went out
  uint64_t closed_slow = 0;    // clients closed because their queue passed the bound
  uint64_t closed_silent = 0;  // clients closed after silent_timeout
  uint64_t folded = 0;         // events over their kind's rate, counted instead of sent
};

// How a client proved it is an admin.
enum class WsAuth { kNone, kHeader, kCookie, kMessage };

namespace detail {
// What the hub sees of one client (implemented in ws_session.cc).
class WsPeer {
 public:
  enum class Kind { kStats, kEvent };
  virtual ~WsPeer() = default;
  // Queues `text` for this client; any thread.
  virtual void send(std::shared_ptr<const std::string> text, Kind kind) = 0;
  // Closes the client (going away); any thread.
  virtual void close() = 0;
  // Closes the client with 1008 (policy violation): its credential no longer admits it.
  // Any thread; nothing queued after it reaches the client.
  virtual void revoke() = 0;
};
}  // namespace detail

class WsHub final : public LiveFeed {
 public:
  using StatsProvider = std::function<boost::json::object()>;
  // What a client proved itself with (opaque to the hub).
  using Credential = uint64_t;
  // The credential of `key` if it is a live admin API key (the first-message authentication).
  using KeyCheck = std::function<std::optional<Credential>(std::string_view key)>;
  // True while `credential` still admits its holder. Called from any thread, without the
  // hub's lock.
  using CredentialCheck = std::function<bool(Credential credential)>;

  // `clock` must outlive the hub.
  WsHub(const core::Clock& clock, StatsProvider stats, KeyCheck check_key,
        CredentialCheck still_valid, WsHubOptions options);
  ~WsHub() override;  // stop()s
  WsHub(const WsHub&) = delete;
  WsHub& operator=(const WsHub&) = delete;

  // Starts the thread that sends stats every stats_interval.
  void start();
  // Stops the stats thread and closes every client (going away); publish() then does
  // nothing. Idempotent.
  void stop();

  // Sends {"type": type, "ts": now, "data": data} to every authenticated client, its strings
  // capped; or, when `type` is over its rate this second, counts it in the next "folded".
  void publish(std::string_view type, boost::json::object data) override;
  void publish_built(std::string_view type,
                     const std::function<boost::json::object()>& build) override;

  WsHealth health() const;

  // Takes over an upgraded connection: the WebSocket handshake, then `auth` (kNone: the first
  // message must authenticate, and `credential` is ignored). Called by the upgrade route on the
  // connection's thread.
  void accept(std::unique_ptr<Upgrade> upgrade, WsAuth auth, Credential credential);

  // Closes with 1008 every client whose credential still_valid no longer admits; they get no
  // message published after this returns. Any thread (the application calls it at once when
  // a credential changes).
  void revalidate();

  // For sessions (ws_session.cc).
  const WsHubOptions& options() const { return options_; }
  const core::Clock& clock() const { return clock_; }
  std::optional<Credential> check_key(std::string_view key) const {
    return check_key_ ? check_key_(key) : std::nullopt;
  }
  void add(detail::WsPeer* peer, std::weak_ptr<detail::WsPeer> p, Credential credential);
  void remove(detail::WsPeer* peer);
  // {"type":..., "ts":..., "data":...} serialised.
  std::string message(std::string_view type, const boost::json::value& data) const;
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> closed_slow{0};
  std::atomic<uint64_t> closed_silent{0};

 private:
  // One kind's count in the current wall-clock second.
  struct KindWindow {
    int64_t second = 0;
    uint32_t sent = 0;
  };
  // True if an event of `type` at `now_ms` is within its kind's rate; false: it was folded.
  // Also hands back, in `summary`, the folded summary now due (folds of an earlier second).
  bool take_slot(std::string_view type, int64_t now_ms, std::optional<boost::json::object>& summary)
      EXCLUDES(fold_mu_);
  // The folded summary of what is pending, if anything is (and resets it).
  std::optional<boost::json::object> take_folded() REQUIRES(fold_mu_);
  void run_stats();
  void broadcast(std::shared_ptr<const std::string> text, detail::WsPeer::Kind kind);
  // Unregisters and closes with 1008 those of `peers` whose credential is no longer valid.
  void revoke_invalid(std::vector<std::pair<Credential, std::shared_ptr<detail::WsPeer>>> peers);

  const core::Clock& clock_;
  const StatsProvider stats_;
  const KeyCheck check_key_;
  const CredentialCheck still_valid_;
  const WsHubOptions options_;

  mutable core::Mutex mu_;
  core::CondVar wake_;
  bool stopped_ GUARDED_BY(mu_) = false;  // after stop(), no client is added or sent to
  struct Peer {
    std::weak_ptr<detail::WsPeer> peer;
    Credential credential;
  };
  std::unordered_map<detail::WsPeer*, Peer> peers_ GUARDED_BY(mu_);

  // The rate of each kind and what was folded; apart from mu_, which sending takes.
  core::Mutex fold_mu_;
  std::map<std::string, KindWindow, std::less<>> kinds_ GUARDED_BY(fold_mu_);
  std::map<std::string, uint64_t> folded_ GUARDED_BY(fold_mu_);  // per kind, since folded_since_
  int64_t folded_since_ms_ GUARDED_BY(fold_mu_) = 0;
  std::atomic<uint64_t> folded_total_{0};
  std::thread stats_thread_;
};

}  // namespace gaia::http
