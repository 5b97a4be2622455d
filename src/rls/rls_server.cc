#include "rls/rls_server.h"

#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <boost/json/array.hpp>
#include <chrono>

#include "rls/message_reuse.h"
#include "rls/rate_limit_service.h"
#include "rls/rls_metrics.h"

namespace gaia::rls {
namespace {

constexpr int kMaxRequestBytes = 64 * 1024;  // a request is a few descriptors
constexpr std::chrono::seconds kDrainTime{5};

std::string listen_address(const std::string& address, uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

RlsServer::RlsServer(RlsOptions options, exec::QuotaCheck& quota,
                     const identity::Directory& directory, metrics::MetricsRegistry& registry,
                     const core::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      metrics_(std::make_unique<RlsMetrics>(registry, options_.domains)),
      messages_(std::make_unique<MessageReuse>()),
      service_(std::make_unique<RateLimitService>(options_.domains, options_.trusted, quota,
                                                  directory, *metrics_, clock)) {
  service_->SetMessageAllocatorFor_ShouldRateLimit(messages_.get());
}

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
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    server_.reset();
    return core::Status::unavailable("cannot listen on " +
                                     listen_address(options_.address, options_.port));
  }
  port_ = static_cast<uint16_t>(port);
  return core::Status();
}

void RlsServer::stop() {
  if (!server_) return;
  // gRPC takes a system_clock deadline; the time still comes from our clock.
  server_->Shutdown(std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      clock_.wall_now() + kDrainTime));
  server_->Wait();
  server_.reset();
}

boost::json::object RlsServer::health_json() const {
  boost::json::array domains;
  for (const Domain& d : options_.domains) domains.emplace_back(d.name);
  return {{"listening", server_ != nullptr},
          {"address", options_.address},
          {"port", port_},
          {"domains", std::move(domains)},
          {"calls", metrics_->calls()}};
}

}  // namespace gaia::rls
