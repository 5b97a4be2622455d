#pragma once
// Connection: one TCP connection to Redis on one Asio io_context, carrying Caller calls.
//
// - Pipelining: calls made while a write is under way are queued and go out together in the
//   next write; replies are matched to calls in the order the calls were written (RESP answers
//   in order on a connection).
// - Deadlines: each call has one. At its deadline the caller gets kTimeout and the call keeps
//   its place in line: its reply, when it comes, is dropped (counted as late). A connection
//   whose replies are late is not cut: a slow Redis keeps its connections.
// - Connect: TCP, then AUTH (with a password in the URL), SELECT (a database other than 0) and
//   FUNCTION LOAD REPLACE of the function library (if given), pipelined, then PING; calls are
//   taken once PING answers. Each step has connect_timeout in all.
// - Down: while not connected every call answers kDisconnected at once; calls in flight when
//   the connection drops answer kDisconnected too (Redis may or may not have run them). The
//   connection retries with exponential backoff from backoff_min to backoff_max.
// - Functions: when an FCALL answers "Function not found" (Redis lost its functions: FUNCTION
//   FLUSH, a restart without persistence, a failover), the connection loads the library again
//   and sends that call once more, after the load; the caller sees only the second answer.
//
// Threads: call() from any thread. Every other member function, and every callback, runs on
// the io_context's thread (one thread runs each io_context: no strand needed).
// Lifetime: the owner calls close(), lets the io_context run until it has no work, and only then
// destroys the Connection, before the io_context (RedisClient does this).

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "cluster/redis/caller.h"
#include "cluster/redis/redis_metrics.h"
#include "cluster/redis/redis_url.h"
#include "cluster/redis/resp.h"
#include "core/clock.h"
#include "core/mutex.h"

namespace gaia::cluster::redis {

struct ConnectionOptions {
  RedisUrl url;
  // A Redis Functions library (Lua source starting with `#!lua name=...`), loaded with
  // FUNCTION LOAD REPLACE at every connect and when a call finds it missing. Empty: none.
  std::string function_library;
  std::chrono::milliseconds connect_timeout{1000};  // TCP connect and the steps after it
  std::chrono::milliseconds backoff_min{25};        // first wait after a failure, then doubled
  std::chrono::milliseconds backoff_max{1000};
  // Calls written and not yet answered by Redis (timed-out ones included) at most; past it,
  // a call answers kDisconnected: a paused Redis cannot make a node hoard calls.
  std::size_t max_in_flight = 100'000;
};

class Connection final : public Caller {
 public:
  using Executor = boost::asio::io_context::executor_type;

  // REQUIRES: `clock` and `metrics` (may be null) outlive the connection.
  Connection(Executor executor, ConnectionOptions options, const core::Clock& clock,
             RedisMetrics* metrics);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts connecting (posted to the io thread). Call once.
  void start();
  // Stops for good (posted): every call waiting answers kDisconnected, nothing reconnects.
  void close();
  // Whether calls are being taken (connected and set up). Any thread.
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  void call(std::vector<std::string> argv, std::chrono::milliseconds deadline, Done done) override;

 private:
  enum class State { kIdle, kConnecting, kReady, kBackoff, kClosed };
  // A command written (or to be written) to Redis, waiting for its reply.
  struct InFlight {
    Done done;  // empty once answered (its deadline passed)
    core::MonoTime deadline;
    core::MonoTime sent;
    std::string resend;     // an FCALL's bytes, to send again after reloading the library
    bool internal = false;  // a set-up step of this connection: no deadline, not counted
  };
  // A call taken from another thread, not yet written.
  struct Queued {
    Done done;
    core::MonoTime deadline;
    core::MonoTime sent;
    std::string resend;
  };

  void connect();
  void on_connected();
  void send_internal(std::vector<std::string> argv, Done done);
  // Drops the connection and retries after the backoff.
  void fail(const std::string& why);
  // Closes the socket and answers every call waiting kDisconnected; `next` is what follows.
  void shut(State next);
  void drain_inbox();
  void write();
  void read();
  void on_reply(Reply reply);
  void reload_then_resend(InFlight call);
  void arm_deadline(core::MonoTime when);
  void expire_calls();
  void answer_all(CallError error);
  void post_answer(Done done, CallError error);

  Executor executor_;
  const ConnectionOptions options_;
  const core::Clock& clock_;
  RedisMetrics* const metrics_;

  // io thread only.
  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer backoff_timer_;
  boost::asio::steady_timer deadline_timer_;
  core::MonoTime deadline_armed_for_ = core::MonoTime::max();
  State state_ = State::kIdle;
  uint64_t generation_ = 0;  // one per socket: a handler of an older socket does nothing
  std::chrono::milliseconds backoff_;
  bool outage_logged_ = false;  // one line per outage, not one per attempt
  bool reload_pending_ = false;
  std::unique_ptr<ReplyReader> reader_;
  std::array<char, 64 * 1024> read_buffer_;
  std::string out_;      // bytes to write next
  std::string writing_;  // bytes being written
  bool write_in_flight_ = false;
  std::deque<InFlight> in_flight_;  // in the order written

  std::atomic<bool> ready_{false};  // release on set-up, acquire in call()

  core::Mutex mu_;
  std::string inbox_bytes_ GUARDED_BY(mu_);    // encoded commands of inbox_
  std::vector<Queued> inbox_ GUARDED_BY(mu_);  // in call() order
};

}  // namespace gaia::cluster::redis
