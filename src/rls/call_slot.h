#pragma once
// CallSlot: a place for one ShouldRateLimit call on gRPC's asynchronous (completion-queue) API.
// The slot asks gRPC for a call, answers it through rls/rate_limit_service.h when it arrives,
// sends the answer, and then asks for the next call: the slot, its server context and its two
// messages serve call after call. A cleared message keeps its heap blocks (the request's
// descriptors, entries and strings; the response's statuses and header strings), so a warm
// slot allocates nothing for its messages; one that held a large request (past kKeepBytes)
// takes fresh ones, so a few big calls cannot pin their memory.
//
// Ownership: borrows the service, the queue and its gate, which must outlive it; the thread
// that polls the queue deletes a slot when on_event() says it is done.
// Threads: a slot belongs to one completion queue; only the thread that polls that queue calls
// on_event(). The gate is shared with stop(): a slot asks for no call once the queue closes.

#include <cstddef>
#include <optional>

#include "core/mutex.h"
#include "envoy/service/ratelimit/v3/rls.grpc.pb.h"
#include "rls/rate_limit_service.h"

namespace gaia::rls {

// Whether a completion queue still takes requests for calls. gRPC must not be asked for a
// call on a queue that is shut down, so asking and closing exclude each other.
class QueueGate {
 public:
  // Runs `ask` unless the gate is closed; false if it was.
  template <typename Ask>
  bool ask_if_open(Ask ask) EXCLUDES(mu_) {
    core::MutexLock lock(mu_);
    if (closed_) return false;
    ask();
    return true;
  }
  void close() EXCLUDES(mu_) {
    core::MutexLock lock(mu_);
    closed_ = true;
  }

 private:
  core::Mutex mu_;
  bool closed_ GUARDED_BY(mu_) = false;
};

class CallSlot {
 public:
  using AsyncService = envoy::service::ratelimit::v3::RateLimitService::AsyncService;
  static constexpr size_t kKeepBytes = 4096;  // a request past it is freed, not kept

  CallSlot(AsyncService& async, RateLimitService& service, grpc::ServerCompletionQueue& queue,
           QueueGate& gate);
  CallSlot(const CallSlot&) = delete;
  CallSlot& operator=(const CallSlot&) = delete;

  // Asks gRPC for the next call into this slot; false if the queue is closing (the slot is
  // then done).
  bool ask();
  // The slot's tag came off the queue, with Next()'s `ok`. False: the slot is done (the
  // server is shutting down) and may be deleted.
  bool on_event(bool ok);

 private:
  enum class State { kAsked, kAnswering };

  AsyncService& async_;
  RateLimitService& service_;
  grpc::ServerCompletionQueue& queue_;
  QueueGate& gate_;
  State state_ = State::kAsked;
  // A server context serves one call, so each call gets a new one in place.
  std::optional<grpc::ServerContext> context_;
  std::optional<grpc::ServerAsyncResponseWriter<envoy::service::ratelimit::v3::RateLimitResponse>>
      responder_;
  envoy::service::ratelimit::v3::RateLimitRequest request_;
  envoy::service::ratelimit::v3::RateLimitResponse response_;
};

}  // namespace gaia::rls
