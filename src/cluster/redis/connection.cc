#include "cluster/redis/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <utility>

namespace gaia::cluster::redis {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

bool is_fcall(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  std::string name = argv[0];
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name == "FCALL" || name == "FCALL_RO";
}

// Redis 7's answer to an FCALL of a function it does not have.
bool is_function_not_found(const Reply& reply) {
  return reply.kind == Reply::Kind::kError && reply.str.starts_with("ERR Function not found");
}

}  // namespace

Connection::Connection(Executor executor, ConnectionOptions options, const core::Clock& clock,
                       RedisMetrics* metrics)
    : executor_(executor),
      options_(std::move(options)),
      clock_(clock),
      metrics_(metrics),
      socket_(executor),
      resolver_(executor),
      connect_timer_(executor),
      backoff_timer_(executor),
      deadline_timer_(executor),
      backoff_(options_.backoff_min) {}

Connection::~Connection() = default;

void Connection::start() {
  asio::post(executor_, [this] {
    if (state_ == State::kIdle) connect();
  });
}

void Connection::close() {
  asio::post(executor_, [this] {
    if (state_ == State::kClosed) return;
    backoff_timer_.cancel();
    shut(State::kClosed);
  });
}

void Connection::call(std::vector<std::string> argv, std::chrono::milliseconds deadline,
                      Done done) {
  if (!ready()) {
    if (metrics_) metrics_->error(RedisMetrics::Error::kDisconnected);
    post_answer(std::move(done), CallError::kDisconnected);
    return;
  }
  const core::MonoTime now = clock_.mono_now();
  Queued queued{std::move(done), now + deadline, now, {}};
  const bool keep = !options_.function_library.empty() && is_fcall(argv);
  if (keep) append_command(argv, queued.resend);
  bool first;
  {
    core::MutexLock lock(mu_);
    if (keep) {
      inbox_bytes_ += queued.resend;
    } else {
      append_command(argv, inbox_bytes_);
    }
    first = inbox_.empty();
    inbox_.push_back(std::move(queued));
  }
  // One drain per batch: calls made before it runs ride in the same write.
  if (first) asio::post(executor_, [this] { drain_inbox(); });
}

void Connection::drain_inbox() {
  std::string bytes;
  std::vector<Queued> calls;
  {
    core::MutexLock lock(mu_);
    bytes.swap(inbox_bytes_);
    calls.swap(inbox_);
  }
  if (calls.empty()) return;
  // The batch's bytes are one string: it is written whole or not at all.
  if (state_ != State::kReady || in_flight_.size() + calls.size() > options_.max_in_flight) {
    for (Queued& q : calls) {
      if (metrics_) metrics_->error(RedisMetrics::Error::kDisconnected);
      q.done(CallResult{CallError::kDisconnected, {}});
    }
    return;
  }
  if (out_.empty()) {
    out_.swap(bytes);
  } else {
    out_ += bytes;
  }
  core::MonoTime earliest = core::MonoTime::max();
  for (Queued& q : calls) {
    earliest = std::min(earliest, q.deadline);
    in_flight_.push_back({std::move(q.done), q.deadline, q.sent, std::move(q.resend), false});
  }
  arm_deadline(earliest);
  write();
}

void Connection::connect() {
  state_ = State::kConnecting;
  const uint64_t generation = ++generation_;
  reader_ = std::make_unique<ReplyReader>();
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([this, generation](boost::system::error_code ec) {
    if (ec || generation != generation_ || state_ != State::kConnecting) return;
    fail("no answer within " + std::to_string(options_.connect_timeout.count()) + " ms");
  });
  auto connected = [this, generation](boost::system::error_code ec, const tcp::endpoint&) {
    if (generation != generation_) return;
    if (ec) return fail("connect: " + ec.message());
    on_connected();
  };
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options_.url.host, ec);
  if (!ec) {
    const std::vector<tcp::endpoint> endpoints{{address, options_.url.port}};
    asio::async_connect(socket_, endpoints, connected);
    return;
  }
  resolver_.async_resolve(
      options_.url.host, std::to_string(options_.url.port),
      [this, generation, connected](boost::system::error_code rec,
                                    const tcp::resolver::results_type& results) {
        if (generation != generation_) return;
        if (rec) return fail("resolve: " + rec.message());
        asio::async_connect(socket_, results, connected);
      });
}

void Connection::on_connected() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  read();
  // Each step's error reply ends the attempt; a step answered kDisconnected was cut off by a
  // failure already being handled.
  auto step = [this](const char* what) {
    return [this, what](CallResult r) {
      if (r.error == CallError::kNone && r.reply.kind == Reply::Kind::kError) {
        fail(std::string(what) + ": " + r.reply.str);
      }
    };
  };
  const RedisUrl& url = options_.url;
  if (!url.password.empty()) {
    send_internal(url.user.empty() ? std::vector<std::string>{"AUTH", url.password}
                                   : std::vector<std::string>{"AUTH", url.user, url.password},
                  step("AUTH"));
  }
  if (url.database != 0) send_internal({"SELECT", std::to_string(url.database)}, step("SELECT"));
  if (!options_.function_library.empty()) {
    send_internal({"FUNCTION", "LOAD", "REPLACE", options_.function_library},
                  step("FUNCTION LOAD"));
  }
  send_internal({"PING"}, [this](CallResult r) {
    if (r.error != CallError::kNone || state_ != State::kConnecting) return;
    if (r.reply.kind == Reply::Kind::kError) return fail("PING: " + r.reply.str);
    state_ = State::kReady;
    connect_timer_.cancel();
    backoff_ = options_.backoff_min;
    ready_.store(true, std::memory_order_release);
    if (metrics_) metrics_->connection_up();
    if (outage_logged_) spdlog::info("redis {}: connected again", options_.url.redacted());
    outage_logged_ = false;
  });
}

void Connection::send_internal(std::vector<std::string> argv, Done done) {
  append_command(argv, out_);
  in_flight_.push_back({std::move(done), core::MonoTime::max(), clock_.mono_now(), {}, true});
  write();
}

void Connection::write() {
  if (write_in_flight_ || out_.empty()) return;
  writing_.clear();
  writing_.swap(out_);
  write_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [this, generation = generation_](boost::system::error_code ec, std::size_t) {
                      if (generation != generation_) return;
                      write_in_flight_ = false;
                      if (ec) return fail("write: " + ec.message());
                      write();
                    });
}

void Connection::read() {
  socket_.async_read_some(
      asio::buffer(read_buffer_),
      [this, generation = generation_](boost::system::error_code ec, std::size_t n) {
        if (generation != generation_) return;
        if (ec) return fail("read: " + ec.message());
        reader_->feed({read_buffer_.data(), n});
        Reply reply;
        for (;;) {
          const ReplyReader::Next next = reader_->next(reply);
          if (next == ReplyReader::Next::kNeedMore) break;
          if (next == ReplyReader::Next::kProtocolError) {
            if (metrics_) metrics_->error(RedisMetrics::Error::kProtocol);
            return fail("not RESP: " + reader_->error());
          }
          on_reply(std::move(reply));
          reply = Reply{};
          if (generation != generation_) return;  // the reply ended this connection
        }
        read();
      });
}

void Connection::on_reply(Reply reply) {
  if (in_flight_.empty()) {
    if (metrics_) metrics_->error(RedisMetrics::Error::kProtocol);
    return fail("a reply to no call");
  }
  InFlight call = std::move(in_flight_.front());
  in_flight_.pop_front();
  if (call.internal) return call.done(CallResult{CallError::kNone, std::move(reply)});
  if (!call.done) {
    if (metrics_) metrics_->error(RedisMetrics::Error::kLateReply);
    return;
  }
  if (!call.resend.empty() && is_function_not_found(reply))
    return reload_then_resend(std::move(call));
  if (metrics_) {
    metrics_->round_trip(clock_.mono_now() - call.sent);
    if (reply.kind == Reply::Kind::kError) metrics_->error(RedisMetrics::Error::kErrorReply);
  }
  call.done(CallResult{CallError::kNone, std::move(reply)});
}

void Connection::reload_then_resend(InFlight call) {
  // One load for every call that finds the library missing; each resend is written after it.
  if (!reload_pending_) {
    reload_pending_ = true;
    spdlog::warn("redis {}: function library missing; loading it again", options_.url.redacted());
    send_internal({"FUNCTION", "LOAD", "REPLACE", options_.function_library}, [this](CallResult r) {
      reload_pending_ = false;
      if (r.error == CallError::kNone && r.reply.kind == Reply::Kind::kError) {
        spdlog::error("redis {}: FUNCTION LOAD: {}", options_.url.redacted(), r.reply.str);
      }
    });
  }
  out_ += call.resend;
  call.resend.clear();  // sent once more at most
  in_flight_.push_back(std::move(call));
  write();
}

void Connection::arm_deadline(core::MonoTime when) {
  if (when >= deadline_armed_for_) return;
  deadline_armed_for_ = when;
  deadline_timer_.expires_after(std::max(when - clock_.mono_now(), core::MonoTime::duration(0)));
  deadline_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) expire_calls();
  });
}

void Connection::expire_calls() {
  deadline_armed_for_ = core::MonoTime::max();
  const core::MonoTime now = clock_.mono_now();
  core::MonoTime next = core::MonoTime::max();
  // A timed-out call keeps its place in line, without its callback, until its reply comes.
  for (InFlight& c : in_flight_) {
    if (!c.done || c.internal) continue;
    if (c.deadline > now) {
      next = std::min(next, c.deadline);
      continue;
    }
    Done done = std::exchange(c.done, nullptr);
    if (metrics_) metrics_->error(RedisMetrics::Error::kTimeout);
    done(CallResult{CallError::kTimeout, {}});
  }
  if (next != core::MonoTime::max()) arm_deadline(next);
}

void Connection::fail(const std::string& why) {
  if (state_ == State::kClosed || state_ == State::kBackoff) return;
  if (state_ != State::kReady && metrics_) metrics_->error(RedisMetrics::Error::kConnect);
  if (!outage_logged_) {
    spdlog::warn("redis {}: {}; reconnecting", options_.url.redacted(), why);
    outage_logged_ = true;
  }
  shut(State::kBackoff);
  backoff_timer_.expires_after(backoff_);
  backoff_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && state_ == State::kBackoff) connect();
  });
  backoff_ = std::min(backoff_ * 2, options_.backoff_max);
}

void Connection::shut(State next) {
  const bool was_ready = state_ == State::kReady;
  state_ = next;
  ++generation_;  // handlers of this socket now do nothing
  ready_.store(false, std::memory_order_release);
  if (was_ready && metrics_) metrics_->connection_down();
  boost::system::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  connect_timer_.cancel();
  deadline_timer_.cancel();
  deadline_armed_for_ = core::MonoTime::max();
  write_in_flight_ = false;
  out_.clear();
  reload_pending_ = false;
  answer_all(CallError::kDisconnected);
}

void Connection::answer_all(CallError error) {
  std::deque<InFlight> calls;
  calls.swap(in_flight_);
  std::vector<Queued> queued;
  {
    core::MutexLock lock(mu_);
    queued.swap(inbox_);
    inbox_bytes_.clear();
  }
  for (InFlight& c : calls) {
    if (!c.done) continue;
    if (!c.internal && metrics_) metrics_->error(RedisMetrics::Error::kDisconnected);
    c.done(CallResult{error, {}});
  }
  for (Queued& q : queued) {
    if (metrics_) metrics_->error(RedisMetrics::Error::kDisconnected);
    q.done(CallResult{error, {}});
  }
}

void Connection::post_answer(Done done, CallError error) {
  asio::post(executor_, [done = std::move(done), error] { done(CallResult{error, {}}); });
}

}  // namespace gaia::cluster::redis
