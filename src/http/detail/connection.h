#pragma once
// Connection: one accepted connection (TCP, or TLS over it: a Stream), reading a request and
// writing its response in turn (HTTP/1.1 keep-alive). Kept alive by its pending operations
// (shared_ptr); every operation runs on the connection's io thread, so its members need no lock. A
// response may also be a chunked stream (ResponseStream), or the connection may be handed over by
// an upgrade route.
//
// ConnectionRegistry: the live connections of one Server, and the upgraded connections taken
// from them (anything Closable), so that stop() can reach them.
// Threads: the registry may be used from any thread; a Connection only from its io thread,
// except start(), shutdown() and the stream handle's methods, which post to it.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "http/detail/blocking_pools.h"
#include "http/detail/connection_caps.h"
#include "http/detail/request_parser.h"
#include "http/detail/stream.h"
#include "http/router.h"
#include "http/server.h"

namespace gaia::http::detail {

// What Server::stop() can ask to close: a connection, or a protocol that took one over.
class Closable {
 public:
  virtual ~Closable() = default;
  // Asks to close soon; may be called from any thread, more than once.
  virtual void shutdown() = 0;
};

class ConnectionRegistry {
 public:
  // Adds `c` and returns true, unless close_all() has run: then adds nothing, returns false.
  bool add(const std::shared_ptr<Closable>& c);
  void remove(const Closable* c);
  // From now on add() refuses and stopping() is true; every live connection is asked to
  // shut down.
  void close_all();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

 private:
  core::Mutex mu_;
  // Written under mu_ (so add() and close_all() agree); read without it by stopping(), which
  // lets a handler that was running when stop() began answer "Connection: close".
  std::atomic<bool> stopping_ = false;
  std::unordered_map<const Closable*, std::weak_ptr<Closable>> live_ GUARDED_BY(mu_);
};

// What a stream's handle shares with its connection: one per stream, so that a handle kept
// after its stream ended can never write into the connection's next stream.
struct StreamShared {
  StreamShared(bool chunked_, std::size_t max_pending_)
      : chunked(chunked_), max_pending(max_pending_) {}
  const bool chunked;  // false for an HTTP/1.0 client: raw body, ended by closing
  const std::size_t max_pending;
  std::atomic<std::size_t> pending = 0;  // bytes queued or being written
  std::atomic<bool> closed = false;      // finish() called, or the stream ended
  std::atomic<bool> begun = false;       // begin() called (or implied by a write)
};

class Connection : public Closable,
                   public Exchange,
                   public std::enable_shared_from_this<Connection> {
 public:
  // `router`, `options`, `registry` and `blocking` must outlive every Connection: the Server
  // owns them and joins its threads, or destroys its io_context, before they go. `slot`
  // counts the connection against the caps until it closes (or, upgraded, its new owner does).
  // `blocking` runs the work of blocking routes.
  Connection(Stream stream, ConnectionCaps::Slot slot, const Router& router,
             const ServerOptions& options, ConnectionRegistry& registry, BlockingPools& blocking);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // Closes now if idle between requests; otherwise answers the request in flight with
  // "Connection: close" and then closes. An open stream gets half the drain timeout to finish.
  void shutdown() override;

  // Exchange, called on the connection's thread from within route_async.
  std::shared_ptr<ResponseStream> open_stream(std::function<void(unsigned)> observe) override;
  void upgrade(UpgradeTaker take) override;
  bool run_blocking(std::size_t pool, std::function<void()> work) override;

  // The stream handle's requests, run on the connection's thread (the handle posts them). Each
  // names its stream and does nothing if that stream is no longer the connection's current one.
  void stream_begin(const StreamShared* id, unsigned status, std::string content_type,
                    std::vector<Header> headers);
  void stream_write(const StreamShared* id, std::string framed);
  void stream_finish(const StreamShared* id);
  void stream_abandoned(const StreamShared* id);
  void stream_on_close(const StreamShared* id, std::function<void()> fn);
  Executor executor() { return stream_.get_executor(); }

 private:
  enum class Phase { kIdle, kBusy, kStreaming, kUpgraded };

  void on_handshake(boost::beast::error_code ec);
  void wait_for_request();
  void on_first_bytes(boost::beast::error_code ec, std::size_t n);
  // Reads the next request, from what the buffer holds first. `parse_here`: parse that before
  // anything else runs (see there).
  void read_request(bool parse_here);
  // After the header: the body, first saying "100 Continue" to a client that waits for it.
  void read_body();
  void read_rest();  // the rest of the message, then on_read()
  void on_read(boost::beast::error_code ec);
  void write(Response res, bool keep_alive);
  void on_write(boost::beast::error_code ec, bool keep_alive);
  void close();

  // The bound on the current read or write: past the deadline the connection closes. Setting
  // it only stores it; one timer wakes at least once per shortest timeout and sleeps again if
  // the deadline moved on. So a keep-alive request costs no timer operation, where a timer per
  // read and write would cost several.
  void set_deadline(std::chrono::milliseconds timeout);
  void clear_deadline();
  void watch_deadline();

  // Streaming: writes whatever is queued, watches for the client going away, and ends.
  bool current(const StreamShared* id) const {
    return phase_ == Phase::kStreaming && s_.shared.get() == id;
  }
  void stream_flush();
  void on_stream_written(boost::beast::error_code ec);
  void watch_client();
  void on_watch(boost::beast::error_code ec, std::size_t n);
  void stream_failed();  // the stream ends without finishing: close, then on_close
  void stream_done();    // the last chunk is written: next request or close
  void resume();         // back to reading requests after a finished stream
  // The clock the server was given, or the system's.
  const core::Clock& clock() const;
  // Tells ServerOptions::access, when set, of the answer to request_.
  void tell_access(unsigned status, std::optional<std::size_t> body_bytes);

  Stream stream_;
  ConnectionCaps::Slot slot_;
  boost::beast::flat_buffer buffer_;
  // The request being read or answered, reused from one request to the next (see
  // RequestParser), and its parser.
  Request request_;
  std::optional<RequestParser> parser_;
  // The response being written: its head, serialised here, and its body.
  std::string head_;
  std::string body_;
  const Router& router_;
  const ServerOptions& options_;
  ConnectionRegistry& registry_;
  BlockingPools& blocking_;
  Phase phase_ = Phase::kBusy;
  bool stopping_ = false;
  // When the request being answered was read, for the access log.
  core::MonoTime request_read_;

  // When the request being read or the response being written is given up; read from clock().
  core::MonoTime deadline_ = core::MonoTime::max();
  boost::asio::steady_timer watchdog_;
  bool watchdog_waiting_ = false;

  // Stream state, on the connection's thread. A stream has no deadline (a write and a read may
  // be pending together); its writes have their own timer.
  struct StreamState {
    std::shared_ptr<StreamShared> shared;
    bool keep_alive = false;
    bool begun = false;
    bool finish_queued = false;
    bool head_only = false;  // a HEAD request: the head is written, chunks are dropped
    bool ended = false;      // finished or failed; no more writes
    bool writing = false;    // a write is in flight
    bool watching = false;   // a read for the client's end is in flight
    bool finished = false;   // the last chunk was written
    bool resume_after_watch = false;
    uint64_t write_seq = 0;         // tells a write's timeout from a later write's
    std::deque<std::string> queue;  // framed bytes waiting to be written
    std::vector<std::string> in_flight;
    std::function<void(unsigned)> observe;
    std::function<void()> on_close;  // runs once, if the stream ends without finishing
    bool close_fired = false;
  };
  StreamState s_;
  boost::asio::steady_timer write_timer_;
  boost::asio::steady_timer drain_timer_;
};

}  // namespace gaia::http::detail
