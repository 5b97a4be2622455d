#include "rls/call_slot.h"

namespace gaia::rls {

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
    const grpc::Status status = service_.ShouldRateLimit(*context_, request_, response_);
    state_ = State::kAnswering;
    // A status other than OK is sent alone: the response is not.
    responder_->Finish(response_, status, this);
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

}  // namespace gaia::rls
