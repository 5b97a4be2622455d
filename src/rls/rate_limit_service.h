#pragma once
// RateLimitService: Envoy's envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit on
// Gaia's rules and counters. Each descriptor of a request is one exec::QuotaCheck, the same
// check POST /api/v1/check makes, so both share counters, violations and metrics. The mapping
// is rls/mapping.h; what is answered in each case is docs/envoy.md.
//
// A request is validated whole before anything is checked: a malformed one is answered
// INVALID_ARGUMENT naming the field (a domain no mapping has, NOT_FOUND; a `user` entry from a
// peer not trusted, PERMISSION_DENIED) and changes nothing. Descriptors are then checked in
// order; each admitted one consumes its cost even when a later one is refused, as Envoy's own
// service does.
//
// The service answers; the listener (rls/rls_server.h) takes the calls off gRPC's completion
// queues and sends the answers.
//
// Ownership: borrows everything given, which must outlive it.
// Threads: the listener's queue threads call ShouldRateLimit concurrently.

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "core/clock.h"
#include "envoy/service/ratelimit/v3/rls.grpc.pb.h"
#include "exec/quota_check.h"
#include "identity/directory.h"
#include "rls/mapping.h"
#include "rls/rls_metrics.h"
#include "rls/trusted_peers.h"

namespace gaia::rls {

class RateLimitService {
 public:
  RateLimitService(std::vector<Domain> domains, TrustedPeers trusted, exec::QuotaCheck& quota,
                   const identity::Directory& directory, RlsMetrics& metrics,
                   const core::Clock& clock);

  // Answers `request` into `response` (whose fields are set only when the status is OK), adds
  // any trailer to `context`, and counts the call in the metrics.
  grpc::Status ShouldRateLimit(grpc::ServerContext& context,
                               const envoy::service::ratelimit::v3::RateLimitRequest& request,
                               envoy::service::ratelimit::v3::RateLimitResponse& response);

  std::span<const Domain> domains() const { return domains_; }

 private:
  // The answer to `request`, whose domain is `domain` (nullptr: none of ours).
  grpc::Status answer(grpc::ServerContext& context,
                      const envoy::service::ratelimit::v3::RateLimitRequest& request,
                      const Domain* domain,
                      envoy::service::ratelimit::v3::RateLimitResponse& response);
  // Whether the store's database is away (GAIA_STORE_FAILURE=open keeps admitting), as read at
  // most once a second.
  bool store_degraded();

  const std::vector<Domain> domains_;
  const TrustedPeers trusted_;
  exec::QuotaCheck& quota_;
  const identity::Directory& directory_;
  RlsMetrics& metrics_;
  const core::Clock& clock_;
  // Relaxed: a stale answer for up to a second is the contract; nothing else is ordered by it.
  std::atomic<int64_t> health_due_ms_{0};
  std::atomic<bool> store_degraded_{false};
};

}  // namespace gaia::rls
