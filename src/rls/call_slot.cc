#include "rls/call_slot.h"

namespace gaia::rls {

void QueueGate::answering() {
  core::MutexLock lock(mu_);
  ++answering_;
}

void QueueGate::answered() {
  core::MutexLock lock(mu_);
  if (--answering_ == 0 && closed_) all_answered_.notify_all();
}

void QueueGate::close() {
  core::MutexLock lock(mu_);
  closed_ = true;
}

void QueueGate::wait_until_answered() {
  core::MutexLock lock(mu_);
  all_answered_.wait(mu_, [this]() REQUIRES(mu_) { return answering_ == 0; });
}

CallSlot::CallSlot(AsyncService& async, RateLimitService& service,
                   grpc::ServerCompletionQueue& queue, QueueGate& gate)
    : async_(async), service_(service), queue_(queue), gate_(gate) {}

bool CallSlot::ask() {
  return gate_.ask_if_open([this] {
    responder_.reset();
    context_.emplace();
    responder_.emplace(&*context_);
    state_ = State::kAsked;
    async_.RequestShouldRateLimit(&*context_, &request_, &*responder_, &queue_, &queue_, this);
  });
}

bool CallSlot::on_event(bool ok) {
  if (state_ == State::kAsked) {
    if (!ok) return false;  // the server is shutting down: no call came
    state_ = State::kAnswering;
    gate_.answering();
    service_.ShouldRateLimit(*context_, request_, response_, *this);
    return true;
  }
  // The answer went out (or the client left): clear the messages for the next call.
  if (request_.ByteSizeLong() > kKeepBytes) {
    envoy::service::ratelimit::v3::RateLimitRequest().Swap(&request_);
    envoy::service::ratelimit::v3::RateLimitResponse().Swap(&response_);
  } else {
    request_.Clear();
    response_.Clear();
  }
  return ask();
}

void CallSlot::finish(const grpc::Status& status) {
  // Once the answer is handed over, the queue's thread may reuse or delete this slot: only
  // the gate, which outlives it, is touched after.
  QueueGate& gate = gate_;
  // A status other than OK is sent alone: the response is not.
  responder_->Finish(response_, status, this);
  gate.answered();
}

}  // namespace gaia::rls
