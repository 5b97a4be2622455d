#include "api/service_metrics.h"

#include <algorithm>
#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <initializer_list>
#include <variant>

#include "api/api_support.h"

namespace gaia::api {
namespace {

// The child of `family` for `labels`, found once per thread: with() takes a lock and builds
// the label tuple, too much for every request.
metrics::Counter& child_of(metrics::CounterFamily& family,
                           std::initializer_list<std::string_view> labels) {
  thread_local boost::unordered_flat_map<std::string, metrics::Counter*> cache;
  thread_local std::string key;  // reused: no allocation once warm
  const metrics::CounterFamily* owner = &family;
  key.assign(reinterpret_cast<const char*>(&owner), sizeof owner);
  for (std::string_view l : labels) (key += '\x1f') += l;
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  metrics::Counter& child = family.with(std::vector<std::string>(labels.begin(), labels.end()));
  cache.emplace(key, &child);
  return child;
}

// child_of(), with the last few children found compared first and no key to build: a busy
// thread counts the same few series.
metrics::Counter& cached_child(metrics::CounterFamily& family,
                               std::initializer_list<std::string_view> labels) {
  struct Recent {
    const metrics::CounterFamily* family = nullptr;
    std::vector<std::string> labels;
    metrics::Counter* child = nullptr;
  };
  thread_local std::array<Recent, 8> recent;
  thread_local size_t replace_next = 0;
  for (const Recent& r : recent) {
    if (r.family == &family &&
        std::equal(r.labels.begin(), r.labels.end(), labels.begin(), labels.end())) {
      return *r.child;
    }
  }
  metrics::Counter& child = child_of(family, labels);
  recent[replace_next++ % recent.size()] = {&family, {labels.begin(), labels.end()}, &child};
  return child;
}

}  // namespace

ConnectionMetrics::ConnectionMetrics(metrics::MetricsRegistry& registry)
    : open_(registry.add_gauge("gaia_http_connections", "HTTP connections open now.").with({})),
      refused_(registry.add_counter("gaia_http_connections_refused_total",
                                    "HTTP connections closed at accept, past the cap on all "
                                    "connections (reason total) or on one client's (per_ip).",
                                    {"reason"})) {
  // Both series from the start, so that a rate over them never misses the first refusal.
  refused_.with({"total"});
  refused_.with({"per_ip"});
}

void ConnectionMetrics::refused(std::string_view reason) { cached_child(refused_, {reason}).inc(); }

ServiceMetrics::ServiceMetrics(metrics::MetricsRegistry& registry, store::Store& store)
    : store_(store),
      checks_(registry.add_counter("gaia_checks_total",
                                   "Admission checks by command type, decision and the deciding "
                                   "limit.",
                                   {"type", "decision", "limit"})),
      check_seconds_(registry
                         .add_histogram("gaia_check_duration_seconds",
                                        "Time the limiter took to decide a check.",
                                        {1e-7, 2.5e-7, 5e-7, 1e-6, 2.5e-6, 5e-6, 1e-5, 1e-4})
                         .with({})),
      requests_(registry.add_counter("gaia_http_requests_total",
                                     "HTTP requests by route, method and status.",
                                     {"route", "method", "status"})),
      connections_(registry) {
  registry.add_callback_gauge(
      "gaia_store_queued_writes", "Writes waiting for the store's next group commit.",
      [&store] { return static_cast<double>(store.health().queued_writes); });
  registry.add_callback_gauge("gaia_store_up", "1 while the store accepts writes, else 0.",
                              [&store] { return store.health().ok ? 1.0 : 0.0; });
  registry.add_callback_gauge(
      "gaia_store_journal_bytes",
      "Bytes of writes kept in the local journal while the database was away, not yet replayed.",
      [&store] { return static_cast<double>(store.health().journal_bytes); });
  registry.add_callback_gauge(
      "gaia_store_dead_letters",
      "Writes the database refused for what they held, set aside since start "
      "(GET /api/admin/dead-letters lists them).",
      [&store] { return static_cast<double>(store.health().dead_letters); });
  metrics::Histogram& commit =
      registry
          .add_histogram("gaia_store_commit_duration_seconds",
                         "Time each group commit of the store took.",
                         {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1})
          .with({});
  store.set_commit_observer([&commit](double seconds) { commit.observe(seconds); });
}

ServiceMetrics::~ServiceMetrics() { store_.set_commit_observer({}); }

void ServiceMetrics::checked(std::string_view type, bool admitted, std::string_view limit,
                             double seconds) {
  check_seconds_.observe(seconds);
  cached_child(checks_, {type, admitted ? "admitted" : "refused", limit}).inc();
}

http::RouteObserver ServiceMetrics::route_observer() {
  return [this](std::string_view route, std::string_view request_method, unsigned status) {
    // Unknown paths share one series: label values must stay a bounded set.
    char code[4] = {char('0' + status / 100 % 10), char('0' + status / 10 % 10),
                    char('0' + status % 10), 0};
    cached_child(requests_, {route.empty() ? "unmatched" : route, request_method, code}).inc();
  };
}

void add_metrics_route(http::Router& router, const metrics::MetricsRegistry& registry,
                       const identity::Directory& directory, bool open,
                       std::function<std::string()> more) {
  router.add("GET", "/metrics",
             [&registry, &directory, open, more = std::move(more)](const http::Request& req) {
               if (!open) {
                 auto auth = authenticate(req, directory, true);
                 if (auto* r = std::get_if<http::Response>(&auth)) return std::move(*r);
               }
               http::Response r;
               r.content_type = metrics::MetricsRegistry::kContentType;
               r.body = registry.render();
               if (more) r.body += more();
               return r;
             });
}

}  // namespace gaia::api
