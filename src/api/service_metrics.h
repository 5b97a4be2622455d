#pragma once
// The service's metrics (GET /metrics): admission checks by type, decision and deciding
// limit, check latency, HTTP requests by route and status, HTTP connections (open, and
// refused by a cap), and the store's write queue. Thread-safe.

#include <functional>
#include <string>

#include "exec/quota_check.h"
#include "http/router.h"
#include "http/server.h"
#include "identity/directory.h"
#include "metrics/registry.h"
#include "store/store.h"

namespace gaia::api {

// gaia_http_connections (open now) and gaia_http_connections_refused_total{reason}.
class ConnectionMetrics final : public http::ConnectionObserver {
 public:
  explicit ConnectionMetrics(metrics::MetricsRegistry& registry);
  void opened() override { open_.inc(); }
  void closed() override { open_.dec(); }
  void refused(std::string_view reason) override;

 private:
  metrics::Gauge& open_;
  metrics::CounterFamily& refused_;
};

class ServiceMetrics final : public exec::CheckObserver {
 public:
  // Registers the families; `store` must outlive the registry's renders.
  ServiceMetrics(metrics::MetricsRegistry& registry, store::Store& store);
  ~ServiceMetrics();  // detaches from the store, which may outlive the registry
  ServiceMetrics(const ServiceMetrics&) = delete;
  ServiceMetrics& operator=(const ServiceMetrics&) = delete;

  // exec::CheckObserver: the checks of every front end (HTTP, Envoy's) count here.
  void checked(std::string_view type, bool admitted, std::string_view limit,
               double seconds) override;
  // A RouteObserver that counts requests by route, method and status class.
  http::RouteObserver route_observer();
  // What the HTTP server tells of its connections (ServerOptions::observer).
  ConnectionMetrics& connections() { return connections_; }

 private:
  store::Store& store_;
  metrics::CounterFamily& checks_;
  metrics::Histogram& check_seconds_;
  metrics::CounterFamily& requests_;
  ConnectionMetrics connections_;
};

// GET /metrics in the Prometheus text format; `open` lets it answer without a key (only
// configurable when the server listens on loopback), otherwise an admin key is needed.
// `more`, when set, renders families kept outside the registry (the process_* figures, whose
// CPU counter is the kernel's), appended to the registry's.
void add_metrics_route(http::Router& router, const metrics::MetricsRegistry& registry,
                       const identity::Directory& directory, bool open,
                       std::function<std::string()> more = nullptr);

}  // namespace gaia::api
