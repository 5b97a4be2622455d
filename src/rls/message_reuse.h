#pragma once
// MessageReuse: ShouldRateLimit's request and response messages, kept for later calls instead
// of freed. A call's messages hold a dozen or more heap blocks (the request's descriptors,
// entries and key strings; the response's statuses, limit, duration and header strings); a
// cleared message keeps them, so a reused pair costs no allocation once warm.
//
// A pair whose request was large (past kKeepBytes) is freed, not kept, so a few big calls
// cannot pin their memory; each thread keeps at most kKeepPairs.
//
// Ownership: gRPC borrows the allocator (it must outlive the server) and hands every pair back
// through Release(). Threads: gRPC's threads allocate and release concurrently; each thread
// keeps its own free list, without a lock (a pair released on another thread than the one that
// took it joins the releasing thread's list).

#include <cstddef>

#include "envoy/service/ratelimit/v3/rls.grpc.pb.h"

namespace gaia::rls {

class MessageReuse final
    : public grpc::MessageAllocator<envoy::service::ratelimit::v3::RateLimitRequest,
                                    envoy::service::ratelimit::v3::RateLimitResponse> {
 public:
  static constexpr size_t kKeepPairs = 64;    // per thread; beyond it, a pair is freed
  static constexpr size_t kKeepBytes = 4096;  // a request past it is freed, not kept

  grpc::MessageHolder<envoy::service::ratelimit::v3::RateLimitRequest,
                      envoy::service::ratelimit::v3::RateLimitResponse>*
  AllocateMessages() override;
};

}  // namespace gaia::rls
