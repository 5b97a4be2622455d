#include "rls/message_reuse.h"

#include <memory>
#include <vector>

namespace gaia::rls {
namespace {

using Request = envoy::service::ratelimit::v3::RateLimitRequest;
using Response = envoy::service::ratelimit::v3::RateLimitResponse;

class Pair;
// This thread's cleared pairs, newest last.
thread_local std::vector<std::unique_ptr<Pair>> free_pairs;

class Pair final : public grpc::MessageHolder<Request, Response> {
 public:
  Pair() {
    set_request(&request_);
    set_response(&response_);
  }

  // gRPC is done with both messages: clear them and keep them, or free them.
  void Release() override {
    if (free_pairs.size() >= MessageReuse::kKeepPairs ||
        request_.ByteSizeLong() > MessageReuse::kKeepBytes) {
      delete this;
      return;
    }
    request_.Clear();
    response_.Clear();
    free_pairs.emplace_back(this);
  }

 private:
  Request request_;
  Response response_;
};

}  // namespace

grpc::MessageHolder<Request, Response>* MessageReuse::AllocateMessages() {
  if (free_pairs.empty()) return new Pair();
  Pair* pair = free_pairs.back().release();
  free_pairs.pop_back();
  return pair;
}

}  // namespace gaia::rls
