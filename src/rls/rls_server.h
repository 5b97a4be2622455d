#pragma once
// RlsServer: the gRPC listener of Envoy's rate limit service (rls/rate_limit_service.h) on
// GAIA_RLS_PORT, plaintext HTTP/2, served by gRPC's asynchronous (completion-queue) API: each
// of `threads` threads polls a queue of its own and answers the calls that arrive on it
// inline, as an HTTP io thread does (rls/call_slot.h). No thread waits on a call: a check is
// answered from memory, or with Redis on the counters' thread, which finishes the call, and a
// queue thread only ever waits for its next event.
//
// Ownership: owns the service, the gRPC server and its queues; borrows what the constructor is
// given, which must outlive it. Threads: start(), stop() and the accessors from the thread that
// owns it.

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "exec/quota_check.h"
#include "identity/directory.h"
#include "metrics/registry.h"
#include "rls/mapping.h"
#include "rls/trusted_peers.h"

namespace grpc {
class Server;
class ServerCompletionQueue;
}  // namespace grpc

namespace gaia::rls {

class QueueGate;
class RateLimitService;
class RlsMetrics;

struct RlsOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  std::vector<Domain> domains;
  TrustedPeers trusted;
  unsigned threads = 1;  // completion queues, each polled by a thread of its own
};

class RlsServer {
 public:
  // Registers the service's metrics on `registry`. Listens only once started.
  RlsServer(RlsOptions options, exec::QuotaCheck& quota, const identity::Directory& directory,
            metrics::MetricsRegistry& registry, const core::Clock& clock);
  ~RlsServer();  // stops, if running
  RlsServer(const RlsServer&) = delete;
  RlsServer& operator=(const RlsServer&) = delete;

  // Listens on the address and port; kUnavailable saying why when it cannot.
  core::Status start();
  // Stops accepting calls and waits (up to a few seconds) for those under way.
  void stop();

  // The port listened on; 0 before start().
  uint16_t port() const { return port_; }
  const std::string& address() const { return options_.address; }
  // {"listening": bool, "address": ..., "port": N, "threads": N, "domains": [...],
  //  "calls": N}.
  boost::json::object health_json() const;

 private:
  struct Async;  // gRPC's handle on the service's method
  struct Queue;  // one completion queue, its gate and its thread

  const RlsOptions options_;
  const core::Clock& clock_;
  std::unique_ptr<RlsMetrics> metrics_;
  std::unique_ptr<RateLimitService> service_;
  std::unique_ptr<Async> async_;  // outlives the server, which borrows it
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::unique_ptr<Queue>> queues_;
  uint16_t port_ = 0;
};

}  // namespace gaia::rls
