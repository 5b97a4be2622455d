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
// Threads: the listener's queue threads call ShouldRateLimit concurrently; a call goes on
// and finishes on the thread of its last check.

#include <atomic>
#include <boost/container/static_vector.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
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
  static constexpr int kMaxDescriptors = 64;

  // One descriptor, validated: whose check, of which type, at which cost.
  struct Planned {
    Ask ask;
    core::CommandTypeId type = 0;
    uint32_t cost = 1;
  };

  // One ShouldRateLimit call on its way through its descriptors: the listener's slot derives
  // from it, keeps it for the life of the call, and sends the answer when finish() is called.
  class Call {
   public:
    virtual ~Call() = default;
    // The call is answered: the response when `status` is OK, otherwise the status alone.
    // Called once a call, on the thread whose check completed it: the caller's when the
    // counters are in memory, the counters' own thread with Redis.
    virtual void finish(const grpc::Status& status) = 0;

   private:
    friend class RateLimitService;
    grpc::ServerContext* context_ = nullptr;
    const envoy::service::ratelimit::v3::RateLimitRequest* request_ = nullptr;
    envoy::service::ratelimit::v3::RateLimitResponse* response_ = nullptr;
    const Domain* domain_ = nullptr;
    std::shared_ptr<const core::RuleSet> rules_;
    boost::container::static_vector<Planned, kMaxDescriptors> plan_;
    int next_ = 0;               // the descriptor being checked
    exec::QuotaRequest asking_;  // its check
    std::string policy_field_;
    std::string ratelimit_field_;
    int64_t retry_after_s_ = -1;
    core::MonoTime started_{};
  };

  RateLimitService(std::vector<Domain> domains, TrustedPeers trusted, exec::QuotaCheck& quota,
                   const identity::Directory& directory, RlsMetrics& metrics,
                   const core::Clock& clock);

  // Answers `request` into `response` (whose fields are set only when the status is OK),
  // adding any trailer to `context`, and counts the call in the metrics; `call.finish()` says
  // when. The descriptors' checks are asked without waiting: with Redis each answers on the
  // counters' thread, which goes on with the next. All four must live until finish().
  void ShouldRateLimit(grpc::ServerContext& context,
                       const envoy::service::ratelimit::v3::RateLimitRequest& request,
                       envoy::service::ratelimit::v3::RateLimitResponse& response, Call& call);

  std::span<const Domain> domains() const { return domains_; }

 private:
  // The call's plan: every descriptor validated, or the error that refuses the whole request.
  grpc::Status plan(Call& call);
  // Checks the descriptors from call.next_ on, each as its answer arrives, then finishes.
  void check_next(Call& call);
  // call.asking_ was answered `a`.
  void checked(Call& call, exec::QuotaAnswer a);
  // Every descriptor checked: the fields and the store's trailer, then finish().
  void finish_checked(Call& call);
  // Counts the call in the metrics, then call.finish(status).
  void finish(Call& call, const grpc::Status& status);
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
