#pragma once
// CallSlot: a place for one ShouldRateLimit call on gRPC's asynchronous (completion-queue) API.
// The slot asks gRPC for a call, has rls/rate_limit_service.h answer it when it arrives, sends
// the answer when the service finishes it (on the queue's thread, or on the counters' thread
// with Redis), and then asks for the next call: the slot, its server context and its two
// messages serve call after call. A cleared message keeps its heap blocks (the request's
// descriptors, entries and strings; the response's statuses and header strings), so a warm
// slot allocates nothing for its messages; one that held a large request (past kKeepBytes)
// takes fresh ones, so a few big calls cannot pin their memory.
//
// Ownership: borrows the service, the queue and its gate, which must outlive it; the thread
// that polls the queue deletes a slot when on_event() says it is done.
// Threads: a slot belongs to one completion queue; only the thread that polls that queue calls
// on_event(). finish() comes from the thread that completed the call's last check.

#include <cstddef>
#include <optional>

#include "core/mutex.h"
#include "envoy/service/ratelimit/v3/rls.grpc.pb.h"
#include "rls/rate_limit_service.h"

namespace gaia::rls {

// A completion queue's gate: whether it still takes requests for calls, and how many of its
// calls are being answered. gRPC must not be asked for a call, nor sent an answer, on a queue
// that is shut down: so asking and closing exclude each other, and the queue is shut down only
// once no call on it is still being answered.
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
  // A call arrived and is being answered; and its answer was handed to gRPC.
  void answering() EXCLUDES(mu_);
  void answered() EXCLUDES(mu_);
  // No call is asked for from now on.
  void close() EXCLUDES(mu_);
  // Returns once every call being answered has been.
  void wait_until_answered() EXCLUDES(mu_);

 private:
  core::Mutex mu_;
  core::CondVar all_answered_;
  bool closed_ GUARDED_BY(mu_) = false;
  int answering_ GUARDED_BY(mu_) = 0;
};

class CallSlot final : public RateLimitService::Call {
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
  // Sends the answer.
  void finish(const grpc::Status& status) override;

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
