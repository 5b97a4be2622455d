#pragma once
// RedisClient: Gaia's Caller over Redis, one Connection (connection.h: pipelining, deadlines,
// reconnection, AUTH/SELECT, the function library) per io thread.
//
// The io threads are the client's own (ClientOptions::io_threads, each running one
// io_context with one connection), not the HTTP server's: the client is built with the
// services, before the server, and must outlive every check in flight, which the server's
// io_contexts do not (they go with the server). A call from a client io thread (a callback
// chaining another call) stays on that thread's connection; a call from any other thread goes
// to the connections in turn, skipping one that is down while another is up. The one extra
// hop per call is a post to an io_context; pipelining makes up for it under load.
//
// Start: start() connects and checks `CONFIG GET maxmemory-policy`: any policy other than
// noeviction lets Redis drop counters under memory pressure, so start() refuses it
// (EvictionPolicyCheck::kRefuse) or logs a warning (kWarn).
//
// Threads: start() and stop() from one controlling thread; call() and connected() from any.
// stop() (or the destructor) closes every connection: calls waiting answer kDisconnected, and a
// call after stop() answers kDisconnected on the calling thread.
//
// Example:
//   RedisClient client({.connection = {.url = *RedisUrl::parse(text), .function_library = lua},
//                       .io_threads = 2}, clock, &metrics);
//   if (core::Status s = client.start(); !s.ok()) { ... }
//   client.call({"FCALL", "gaia_check", "1", key, ...}, 5ms, [](CallResult r) { ... });

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cluster/redis/caller.h"
#include "cluster/redis/connection.h"
#include "cluster/redis/redis_metrics.h"
#include "core/clock.h"
#include "core/status.h"

namespace gaia::cluster::redis {

enum class EvictionPolicyCheck { kRefuse, kWarn };

struct ClientOptions {
  ConnectionOptions connection;
  unsigned io_threads = 1;  // one connection each; at least 1
  EvictionPolicyCheck eviction = EvictionPolicyCheck::kRefuse;
};

class RedisClient final : public Caller {
 public:
  // REQUIRES: `clock` and `metrics` (may be null) outlive the client.
  RedisClient(ClientOptions options, const core::Clock& clock, RedisMetrics* metrics);
  ~RedisClient() override;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Starts the io threads and connections, waits up to connection.connect_timeout for one
  // connection, then checks maxmemory-policy. Unavailable if no connection came up (the
  // connections keep trying: the caller may go on, degraded, or stop()); InvalidArgument if
  // the policy is refused. Call once.
  core::Status start();
  // Closes the connections and joins the io threads. Idempotent.
  void stop();

  // REQUIRES: start() was called.
  void call(std::vector<std::string> argv, std::chrono::milliseconds deadline, Done done) override;

  // Whether any connection carries calls now.
  bool connected() const;
  // The maxmemory-policy start() read ("" if it could not be read).
  const std::string& eviction_policy() const { return eviction_policy_; }

 private:
  struct Loop;
  core::Status check_eviction_policy();

  const ClientOptions options_;
  const core::Clock& clock_;
  RedisMetrics* const metrics_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<size_t> next_{0};  // round robin for calls from other threads; relaxed
  std::atomic<bool> stopped_{false};
  bool started_ = false;  // controlling thread only
  std::string eviction_policy_;
};

}  // namespace gaia::cluster::redis
