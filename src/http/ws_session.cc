// WsSession: one client of the WsHub, on the io thread of the connection it took over. The
// translation unit that compiles Beast's WebSocket stream (a template) for the server.
//
// Life: handshake -> (first-message authentication) -> registered with the hub -> closed.
// At most one read, one write, one ping and one close are outstanding at a time, which is
// what Beast's websocket::stream allows. Every member is used on that thread only.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/value.hpp>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "http/strict_json.h"
#include "http/ws_hub.h"
#include "http/ws_upgrade.h"

namespace gaia::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using WsStream = websocket::stream<detail::Stream>;
using Kind = detail::WsPeer::Kind;

// The longest a WebSocket handshake or close handshake may take.
constexpr std::chrono::milliseconds kHandshakeTimeout{5'000};

const char* auth_name(WsAuth a) {
  switch (a) {
    case WsAuth::kHeader:
      return "header";
    case WsAuth::kCookie:
      return "cookie";
    case WsAuth::kMessage:
      return "message";
    case WsAuth::kNone:
      break;
  }
  return "none";
}

class WsSession final : public detail::WsPeer,
                        public detail::Closable,
                        public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(WsHub& hub, Upgrade& up, WsAuth auth, WsHub::Credential credential)
      : hub_(hub),
        registry_(up.registry),
        ws_(std::move(up.stream)),
        slot_(std::move(up.slot)),
        request_(std::move(up.request)),
        auth_(auth),
        credential_(credential),
        auth_timer_(ws_.get_executor()),
        ping_timer_(ws_.get_executor()),
        close_timeout_(
            std::min<std::chrono::milliseconds>(kHandshakeTimeout, up.drain_timeout / 2)) {}

  ~WsSession() override {
    if (added_) hub_.remove(this);
    registry_.remove(this);
  }

  void start() {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->handshake(); });
  }

  void send(std::shared_ptr<const std::string> text, Kind kind) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text), kind] {
      self->enqueue(std::move(text), kind);
    });
  }

  void close() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->graceful_close(websocket::close_code::going_away);
    });
  }
  void revoke() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->policy_close("the credential of this connection was revoked");
    });
  }
  void shutdown() override { close(); }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> text;
    Kind kind;
  };

  core::MonoTime now() const { return hub_.clock().mono_now(); }

  void handshake() {
    if (!registry_.add(shared_from_this())) return;  // the server is stopping
    ws_.set_option(
        websocket::stream_base::timeout{close_timeout_, websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "gaia"); }));
    ws_.read_message_max(hub_.options().max_incoming_bytes);
    // Pongs (and pings) are heard too: a client that only answers our pings is alive.
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { heard_ = now(); });
    ws_.async_accept(request_,
                     [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void on_accept(beast::error_code ec) {
    if (ec) return;  // not a valid handshake, or the client left: the session ends
    accepted_ = true;
    heard_ = pinged_ = now();
    if (close_requested_) return graceful_close(websocket::close_code::going_away);
    if (auth_ != WsAuth::kNone) {
      activate();
    } else {
      auth_timer_.expires_after(hub_.options().auth_timeout);
      auth_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e && !self->authenticated_) self->policy_close("authentication timed out");
      });
    }
    schedule_tick();
    read();
  }

  // Authenticated: from now on the client receives the hub's messages.
  void activate() {
    authenticated_ = true;
    auth_timer_.cancel();
    added_ = true;
    hub_.add(this, weak_from_this(), credential_);
    enqueue(std::make_shared<const std::string>(
                hub_.message("hello", boost::json::object{{"auth", auth_name(auth_)}})),
            Kind::kEvent);
  }

  void read() {
    ws_.async_read(
        in_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return stop_timers();  // closed by either side, or failed: the session ends
    heard_ = now();
    if (!authenticated_ && !closing_) {
      std::optional<WsHub::Credential> credential =
          authenticate(beast::buffers_to_string(in_.data()));
      if (!credential) {
        in_.consume(in_.size());
        return policy_close("authenticate first: {\"type\":\"auth\",\"key\":\"...\"}");
      }
      credential_ = *credential;
      auth_ = WsAuth::kMessage;
      activate();
    }
    // Messages from an authenticated client carry nothing the hub acts on yet.
    in_.consume(in_.size());
    read();
  }

  // The credential of a valid {"type":"auth","key":...} message (a name given twice is not).
  std::optional<WsHub::Credential> authenticate(const std::string& text) const {
    auto parsed = parse_strict_json(text);
    const boost::json::value* v = std::get_if<boost::json::value>(&parsed);
    if (v == nullptr || !v->is_object()) return std::nullopt;
    const auto& o = v->get_object();
    const auto* type = o.if_contains("type");
    const auto* key = o.if_contains("key");
    if (type == nullptr || !type->is_string() || type->get_string() != "auth" || key == nullptr ||
        !key->is_string()) {
      return std::nullopt;
    }
    return hub_.check_key(key->get_string());
  }

  // One timer serves both the heartbeat and the silence check: it wakes at whichever is due.
  void schedule_tick() {
    const auto& o = hub_.options();
    const core::MonoTime t = now();
    auto wait = std::min(pinged_ + o.ping_interval, heard_ + o.silent_timeout) - t;
    wait = std::max<core::MonoTime::duration>(wait, std::chrono::milliseconds(1));
    ping_timer_.expires_after(wait);
    ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->tick();
    });
  }

  void tick() {
    if (closing_) return;
    const auto& o = hub_.options();
    const core::MonoTime t = now();
    if (t - heard_ >= o.silent_timeout) {
      hub_.closed_silent.fetch_add(1, std::memory_order_relaxed);
      return hard_close();  // a silent peer is presumably gone: no close handshake
    }
    if (t - pinged_ >= o.ping_interval && !ping_in_flight_) {
      pinged_ = t;
      ping_in_flight_ = true;
      ws_.async_ping({}, [self = shared_from_this()](beast::error_code ec) {
        self->ping_in_flight_ = false;
        if (ec) self->hard_close();
      });
    }
    schedule_tick();
  }

  void enqueue(std::shared_ptr<const std::string> text, Kind kind) {
    if (closing_ || !authenticated_) {
      hub_.dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (kind == Kind::kStats) {
      // Coalesce: a stats message not yet being written is replaced by the newer one.
      for (std::size_t i = writing_ ? 1 : 0; i < queue_.size(); ++i) {
        if (queue_[i].kind == Kind::kStats) {
          queued_bytes_ = queued_bytes_ - queue_[i].text->size() + text->size();
          queue_[i].text = std::move(text);
          hub_.dropped.fetch_add(1, std::memory_order_relaxed);
          return;
        }
      }
    }
    queued_bytes_ += text->size();
    queue_.push_back({std::move(text), kind});
    const auto& o = hub_.options();
    if (queue_.size() > o.max_queued_messages || queued_bytes_ > o.max_queued_bytes) {
      hub_.closed_slow.fetch_add(1, std::memory_order_relaxed);
      hub_.dropped.fetch_add(queue_.size(), std::memory_order_relaxed);
      spdlog::info("WebSocket client closed: {} messages ({} bytes) waiting", queue_.size(),
                   queued_bytes_);
      return hard_close();  // it is not reading: a close frame would only wait behind the rest
    }
    flush();
  }

  void flush() {
    if (writing_ || queue_.empty() || closing_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        asio::buffer(*queue_.front().text),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (ec) return hard_close();
    queued_bytes_ -= queue_.front().text->size();
    queue_.pop_front();
    hub_.sent.fetch_add(1, std::memory_order_relaxed);
    flush();
  }

  void policy_close(const char* why) {
    graceful_close(websocket::close_reason(websocket::close_code::policy_error, why));
  }

  void graceful_close(const websocket::close_reason& reason) {
    if (closing_) return;
    if (!accepted_) {
      close_requested_ = true;  // on_accept closes once the handshake is done
      return;
    }
    closing_ = true;
    stop_timers();
    drop_queue();
    ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {
      // Beast closed the socket after the close handshake (or its timeout).
    });
  }

  void hard_close() {
    closing_ = true;
    stop_timers();
    drop_queue();
    beast::error_code ignored;
    ws_.next_layer().socket().close(ignored);
  }

  void drop_queue() {
    // The message being written stays: Beast still reads its buffer.
    while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
  }

  void stop_timers() {
    auth_timer_.cancel();
    ping_timer_.cancel();
  }

  WsHub& hub_;
  detail::ConnectionRegistry& registry_;
  WsStream ws_;
  detail::ConnectionCaps::Slot slot_;  // counted against the caps while the socket lives
  beast::http::request<beast::http::string_body> request_;  // read by async_accept
  beast::flat_buffer in_;
  WsAuth auth_;
  WsHub::Credential credential_;  // what auth_ proved
  asio::steady_timer auth_timer_;
  asio::steady_timer ping_timer_;
  const std::chrono::milliseconds close_timeout_;
  std::deque<Outgoing> queue_;  // front: being written while writing_
  std::size_t queued_bytes_ = 0;
  core::MonoTime heard_{};   // last frame of any kind from the client
  core::MonoTime pinged_{};  // last ping sent
  bool accepted_ = false;
  bool authenticated_ = false;
  bool added_ = false;  // registered with the hub
  bool writing_ = false;
  bool ping_in_flight_ = false;
  bool closing_ = false;
  bool close_requested_ = false;  // during the handshake
};

}  // namespace

void WsHub::accept(std::unique_ptr<Upgrade> upgrade, WsAuth auth, Credential credential) {
  std::make_shared<WsSession>(*this, *upgrade, auth, credential)->start();
}

}  // namespace gaia::http
