#include "cluster/redis/client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <future>
#include <optional>

namespace gaia::cluster::redis {

namespace asio = boost::asio;

namespace {
// The io thread's own connection, so that a call from a callback stays on its thread.
thread_local const RedisClient* tl_client = nullptr;
thread_local size_t tl_loop = 0;

constexpr std::chrono::milliseconds kStartPoll{5};
}  // namespace

// Member order: the connection goes before the io_context it lives on.
struct RedisClient::Loop {
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::unique_ptr<Connection> connection;
  std::thread thread;
};

RedisClient::RedisClient(ClientOptions options, const core::Clock& clock, RedisMetrics* metrics)
    : options_(std::move(options)), clock_(clock), metrics_(metrics) {
  for (unsigned i = 0; i < std::max(1u, options_.io_threads); ++i) {
    auto loop = std::make_unique<Loop>();
    loop->connection = std::make_unique<Connection>(loop->io.get_executor(), options_.connection,
                                                    clock_, metrics_);
    loops_.push_back(std::move(loop));
  }
}

RedisClient::~RedisClient() { stop(); }

core::Status RedisClient::start() {
  started_ = true;
  for (size_t i = 0; i < loops_.size(); ++i) {
    Loop& loop = *loops_[i];
    loop.keep_running.emplace(asio::make_work_guard(loop.io));
    loop.thread = std::thread([this, i, &loop] {
      tl_client = this;
      tl_loop = i;
      try {
        loop.io.run();
      } catch (const std::exception& e) {
        spdlog::error("redis io thread stopped by exception: {}", e.what());
      }
    });
    loop.connection->start();
  }
  const core::MonoTime until = clock_.mono_now() + options_.connection.connect_timeout;
  while (!connected() && clock_.mono_now() < until) std::this_thread::sleep_for(kStartPoll);
  if (!connected()) {
    return core::Status::unavailable(
        "redis_url: no connection to " + options_.connection.url.redacted() + " within " +
        std::to_string(options_.connection.connect_timeout.count()) + " ms");
  }
  return check_eviction_policy();
}

core::Status RedisClient::check_eviction_policy() {
  std::promise<CallResult> answered;
  call({"CONFIG", "GET", "maxmemory-policy"}, options_.connection.connect_timeout,
       [&answered](CallResult r) { answered.set_value(std::move(r)); });
  const CallResult r = answered.get_future().get();
  const std::string where = options_.connection.url.redacted();
  if (r.error != CallError::kNone || r.reply.kind != Reply::Kind::kArray ||
      r.reply.elements.size() != 2 || r.reply.elements[1].kind != Reply::Kind::kString) {
    // Managed Redis services often rename or disable CONFIG: say so, do not refuse.
    spdlog::warn("redis {}: cannot read maxmemory-policy ({}); make sure it is noeviction", where,
                 r.error != CallError::kNone ? "no answer" : r.reply.str);
    return core::Status();
  }
  eviction_policy_ = r.reply.elements[1].str;
  if (eviction_policy_ == "noeviction") return core::Status();
  const std::string why = "redis " + where + " has maxmemory-policy " + eviction_policy_ +
                          ": it may evict counters, and limits would admit too much; set it "
                          "to noeviction";
  if (options_.eviction == EvictionPolicyCheck::kRefuse) {
    return core::Status::invalid_argument(why);
  }
  spdlog::warn("{}", why);
  return core::Status();
}

void RedisClient::stop() {
  if (stopped_.exchange(true)) return;
  if (!started_) return;
  for (auto& loop : loops_) {
    loop->connection->close();
    loop->keep_running.reset();  // run() returns once the closed connection has no work left
  }
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  for (auto& loop : loops_) loop->connection.reset();
}

void RedisClient::call(std::vector<std::string> argv, std::chrono::milliseconds deadline,
                       Done done) {
  if (stopped_.load(std::memory_order_acquire)) {
    done(CallResult{CallError::kDisconnected, {}});
    return;
  }
  if (tl_client == this && loops_[tl_loop]->connection->ready()) {
    return loops_[tl_loop]->connection->call(std::move(argv), deadline, std::move(done));
  }
  const size_t first = next_.fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < loops_.size(); ++i) {
    Connection& c = *loops_[(first + i) % loops_.size()]->connection;
    if (c.ready()) return c.call(std::move(argv), deadline, std::move(done));
  }
  // None is up: the first answers kDisconnected, on its io thread.
  loops_[first % loops_.size()]->connection->call(std::move(argv), deadline, std::move(done));
}

bool RedisClient::connected() const {
  return std::any_of(loops_.begin(), loops_.end(), [](const auto& loop) {
    return loop->connection && loop->connection->ready();
  });
}

}  // namespace gaia::cluster::redis
