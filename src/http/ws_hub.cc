#include "http/ws_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include "http/json_text.h"

namespace gaia::http {

WsHub::WsHub(const core::Clock& clock, StatsProvider stats, KeyCheck check_key,
             CredentialCheck still_valid, WsHubOptions options)
    : clock_(clock),
      stats_(std::move(stats)),
      check_key_(std::move(check_key)),
      still_valid_(std::move(still_valid)),
      options_(options) {}

WsHub::~WsHub() { stop(); }

void WsHub::start() {
  core::MutexLock lock(mu_);
  if (stopped_ || stats_thread_.joinable()) return;
  stats_thread_ = std::thread([this] { run_stats(); });
}

void WsHub::stop() {
  std::vector<std::shared_ptr<detail::WsPeer>> peers;
  {
    core::MutexLock lock(mu_);
    stopped_ = true;
    for (auto& [ptr, entry] : peers_) {
      if (auto p = entry.peer.lock()) peers.push_back(std::move(p));
    }
    peers_.clear();
    wake_.notify_all();
  }
  if (stats_thread_.joinable()) stats_thread_.join();
  for (auto& p : peers) p->close();
}

std::string WsHub::message(std::string_view type, const boost::json::value& data) const {
  boost::json::object m;
  m["type"] = type;
  m["ts"] = core::to_ms(clock_.wall_now());
  m["data"] = data;
  return object_json_text(m);
}

namespace {

// Caps every string in `v`, at any depth.
void cap_strings(boost::json::value& v, size_t max_bytes) {
  if (auto* s = v.if_string()) {
    if (s->size() > max_bytes) *s = core::capped_text(*s, max_bytes);
  } else if (auto* o = v.if_object()) {
    for (auto& [k, item] : *o) cap_strings(item, max_bytes);
  } else if (auto* a = v.if_array()) {
    for (auto& item : *a) cap_strings(item, max_bytes);
  }
}

}  // namespace

void WsHub::publish(std::string_view type, boost::json::object data) {
  publish_built(type, [&data] { return std::move(data); });
}

void WsHub::publish_built(std::string_view type,
                          const std::function<boost::json::object()>& build) {
  std::optional<boost::json::object> summary;
  const bool within = take_slot(type, core::to_ms(clock_.wall_now()), summary);
  if (summary) {
    broadcast(std::make_shared<const std::string>(message("folded", *summary)),
              detail::WsPeer::Kind::kEvent);
  }
  if (!within) return;
  boost::json::value v(build());
  cap_strings(v, std::max(options_.max_event_text_bytes, core::kMinTextCap));
  broadcast(std::make_shared<const std::string>(message(type, v)), detail::WsPeer::Kind::kEvent);
}

bool WsHub::take_slot(std::string_view type, int64_t now_ms,
                      std::optional<boost::json::object>& summary) {
  const int64_t second = now_ms / 1000;
  core::MutexLock lock(fold_mu_);
  // What was folded in an earlier second is announced now, before anything newer.
  if (!folded_.empty() && folded_since_ms_ / 1000 != second) summary = take_folded();
  auto it = kinds_.find(type);
  if (it == kinds_.end()) {
    // Kinds are the application's own names, a handful: the map stays small.
    it = kinds_.emplace(std::string(type), KindWindow{}).first;
  }
  KindWindow& w = it->second;
  if (w.second != second) w = {second, 0};
  if (w.sent < options_.events_per_second) {
    ++w.sent;
    return true;
  }
  if (folded_.empty()) folded_since_ms_ = now_ms;
  ++folded_[std::string(type)];
  folded_total_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

std::optional<boost::json::object> WsHub::take_folded() {
  if (folded_.empty()) return std::nullopt;
  boost::json::object counts;
  for (const auto& [kind, n] : folded_) counts[kind] = n;
  folded_.clear();
  return boost::json::object{{"counts", std::move(counts)}, {"since_ms", folded_since_ms_}};
}

void WsHub::broadcast(std::shared_ptr<const std::string> text, detail::WsPeer::Kind kind) {
  // send() only posts to each client's thread, so holding the lock is brief, and it keeps
  // stop() from returning while a send is on its way to a server about to be destroyed.
  // The references taken here are dropped only after the lock is released: the last one
  // destroys a session that has just ended, and its destructor calls remove().
  std::vector<std::shared_ptr<detail::WsPeer>> peers;
  core::MutexLock lock(mu_);
  if (stopped_) return;
  peers.reserve(peers_.size());
  for (auto& [ptr, entry] : peers_) {
    if (auto p = entry.peer.lock()) {
      p->send(text, kind);
      peers.push_back(std::move(p));
    }
  }
}

WsHealth WsHub::health() const {
  WsHealth h;
  {
    core::MutexLock lock(mu_);
    h.clients = peers_.size();
  }
  h.messages_sent = sent.load(std::memory_order_relaxed);
  h.dropped = dropped.load(std::memory_order_relaxed);
  h.closed_slow = closed_slow.load(std::memory_order_relaxed);
  h.closed_silent = closed_silent.load(std::memory_order_relaxed);
  h.folded = folded_total_.load(std::memory_order_relaxed);
  return h;
}

void WsHub::add(detail::WsPeer* peer, std::weak_ptr<detail::WsPeer> p, Credential credential) {
  std::shared_ptr<detail::WsPeer> added = p.lock();
  if (!added) return;
  bool registered = false;
  {
    core::MutexLock lock(mu_);
    registered = !stopped_;
    if (registered) peers_.emplace(peer, Peer{std::move(p), credential});
  }
  if (!registered) return added->close();
  // Checked after registering: a revocation since the handshake is caught here, one from now
  // on by revalidate().
  revoke_invalid({{credential, std::move(added)}});
}

void WsHub::revalidate() {
  std::vector<std::pair<Credential, std::shared_ptr<detail::WsPeer>>> peers;
  {
    core::MutexLock lock(mu_);
    for (auto& [ptr, entry] : peers_) {
      if (auto p = entry.peer.lock()) peers.emplace_back(entry.credential, std::move(p));
    }
  }
  revoke_invalid(std::move(peers));
}

void WsHub::revoke_invalid(
    std::vector<std::pair<Credential, std::shared_ptr<detail::WsPeer>>> peers) {
  if (!still_valid_) return;
  // Asked without the lock: the check takes the application's own locks.
  std::erase_if(peers, [&](const auto& p) { return still_valid_(p.first); });
  {
    // Unregistered before closing, so nothing broadcast from now on reaches them; revoke()
    // also drops what is queued but not yet written.
    core::MutexLock lock(mu_);
    for (auto& [credential, p] : peers) {
      peers_.erase(p.get());
      p->revoke();
    }
  }
  // The references are dropped here, without the lock (a session's destructor calls remove()).
}

void WsHub::remove(detail::WsPeer* peer) {
  core::MutexLock lock(mu_);
  peers_.erase(peer);
}

void WsHub::run_stats() {
  core::MutexLock lock(mu_);
  for (;;) {
    if (wake_.wait_for(mu_, options_.stats_interval, [this]() REQUIRES(mu_) { return stopped_; }))
      return;
    lock.unlock();
    // A flood that stopped is summed up with the stats, not left waiting for the next event.
    std::optional<boost::json::object> summary;
    {
      core::MutexLock fold_lock(fold_mu_);
      summary = take_folded();
    }
    if (summary) {
      broadcast(std::make_shared<const std::string>(message("folded", *summary)),
                detail::WsPeer::Kind::kEvent);
    }
    lock.lock();
    if (peers_.empty() || !stats_) continue;  // nobody listens: do not even ask
    lock.unlock();
    std::shared_ptr<const std::string> text;
    try {
      text = std::make_shared<const std::string>(message("stats", stats_()));
    } catch (const std::exception& e) {
      spdlog::error("WebSocket stats provider threw: {}", e.what());
    }
    if (text) broadcast(std::move(text), detail::WsPeer::Kind::kStats);
    lock.lock();
  }
}

}  // namespace gaia::http
