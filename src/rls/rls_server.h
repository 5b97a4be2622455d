#pragma once
// RlsServer: the gRPC listener of Envoy's rate limit service (rls/rate_limit_service.h) on
// GAIA_RLS_PORT, plaintext HTTP/2, served by gRPC's callback API.
//
// Ownership: owns the service and the gRPC server; borrows what `make` is given, which must
// outlive it. Threads: start(), stop() and the accessors from the thread that owns it; gRPC
// runs the calls on its own threads.

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
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
}

namespace gaia::rls {

class MessageReuse;
class RateLimitService;
class RlsMetrics;

struct RlsOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  std::vector<Domain> domains;
  TrustedPeers trusted;
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
  // {"listening": bool, "address": ..., "port": N, "domains": [...], "calls": N}.
  boost::json::object health_json() const;

 private:
  const RlsOptions options_;
  const core::Clock& clock_;
  std::unique_ptr<RlsMetrics> metrics_;
  std::unique_ptr<MessageReuse> messages_;  // outlives the server, which borrows it
  std::unique_ptr<RateLimitService> service_;
  std::unique_ptr<grpc::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace gaia::rls
