#include "rls/rls_server.h"

#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <chrono>
#include <thread>

#include "rls/call_slot.h"
#include "rls/rate_limit_service.h"
#include "rls/rls_metrics.h"

namespace gaia::rls {
namespace {

constexpr int kMaxRequestBytes = 64 * 1024;  // a request is a few descriptors
constexpr std::chrono::seconds kDrainTime{5};
// Calls asked for ahead on each queue: a burst of that many new calls finds a slot waiting.
constexpr int kSlotsPerQueue = 32;

std::string listen_address(const std::string& address, uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

struct RlsServer::Async : CallSlot::AsyncService {};

struct RlsServer::Queue {
  std::unique_ptr<grpc::ServerCompletionQueue> queue;
  QueueGate gate;
  std::thread thread;

  // Runs each event on its slot until the queue is shut down and drained.
  void poll() {
    void* tag = nullptr;
    bool ok = false;
    while (queue->Next(&tag, &ok)) {
      auto* slot = static_cast<CallSlot*>(tag);
      if (!slot->on_event(ok)) delete slot;
    }
  }
};

RlsServer::RlsServer(RlsOptions options, exec::QuotaCheck& quota,
                     const identity::Directory& directory, metrics::MetricsRegistry& registry,
                     const core::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      metrics_(std::make_unique<RlsMetrics>(registry, options_.domains)),
      service_(std::make_unique<RateLimitService>(options_.domains, options_.trusted, quota,
                                                  directory, *metrics_, clock)),
      async_(std::make_unique<Async>()) {}

RlsServer::~RlsServer() { stop(); }

core::Status RlsServer::start() {
  // Abseil as packaged here is built without NDEBUG, so each of the locks gRPC takes on a call
  // (and each lock a call destroys) also updates Abseil's deadlock-cycle graph: a few percent
  // of a call's CPU. Process-wide; Gaia's own locks are core/mutex.h's, not Abseil's.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen_address(options_.address, options_.port),
                           grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  // Nothing reads channelz; without it a call skips its per-call and per-message counters.
  builder.AddChannelArgument(GRPC_ARG_ENABLE_CHANNELZ, 0);
  builder.RegisterService(async_.get());
  for (unsigned i = 0; i < std::max(options_.threads, 1u); ++i) {
    queues_.push_back(std::make_unique<Queue>());
    queues_.back()->queue = builder.AddCompletionQueue();
  }
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    server_.reset();
    for (auto& q : queues_) {
      q->queue->Shutdown();
      q->poll();  // drains nothing: no call was asked for
    }
    queues_.clear();
    return core::Status::unavailable("cannot listen on " +
                                     listen_address(options_.address, options_.port));
  }
  port_ = static_cast<uint16_t>(port);
  for (auto& q : queues_) {
    for (int i = 0; i < kSlotsPerQueue; ++i) {
      (new CallSlot(*async_, *service_, *q->queue, q->gate))->ask();
    }
    q->thread = std::thread([&q = *q] { q.poll(); });
  }
  return core::Status();
}

void RlsServer::stop() {
  if (!server_) return;
  // No slot asks for another call; those asked for come back from Shutdown as not ok.
  for (auto& q : queues_) q->gate.close();
  // gRPC takes a system_clock deadline; the time still comes from our clock.
  server_->Shutdown(std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      clock_.wall_now() + kDrainTime));
  // A call still waiting for a check (Redis answers within its deadline) is sent its answer
  // before its queue goes.
  for (auto& q : queues_) q->gate.wait_until_answered();
  for (auto& q : queues_) q->queue->Shutdown();
  for (auto& q : queues_) q->thread.join();  // each has deleted its slots
  server_->Wait();
  server_.reset();
  queues_.clear();
}

boost::json::object RlsServer::health_json() const {
  boost::json::array domains;
  for (const Domain& d : options_.domains) domains.emplace_back(d.name);
  return {{"listening", server_ != nullptr},
          {"address", options_.address},
          {"port", port_},
          {"threads", queues_.size()},
          {"domains", std::move(domains)},
          {"calls", metrics_->calls()}};
}

}  // namespace gaia::rls
