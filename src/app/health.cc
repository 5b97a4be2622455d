#include "app/health.h"

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <utility>
#include <variant>

#include "api/api_support.h"
#include "core/version.h"

namespace gaia::app {

namespace {

int64_t uptime_seconds(const HealthInfo& info, const core::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.mono_now() - info.started).count();
}

}  // namespace

std::vector<std::string> not_ready_reasons(const HealthInfo& info) {
  std::vector<std::string> reasons;
  if (info.store != nullptr && !info.store->health().ok) reasons.emplace_back("store");
  if (info.counters && info.counters().at("state") != "ok") reasons.emplace_back("counters");
  if (info.executor) {
    const boost::json::object e = info.executor();
    const boost::json::value* seats = e.if_contains("seats");
    if (seats != nullptr && seats->to_number<double>() <= 0) reasons.emplace_back("executor");
  }
  if (info.draining && info.draining()) reasons.emplace_back("draining");
  return reasons;
}

boost::json::object health_details(const HealthInfo& info, const core::Clock& clock) {
  boost::json::object store{{"kind", info.store_kind}, {"path", info.store_path}};
  bool ok = true;
  if (info.store != nullptr) {
    store::StoreHealth h = info.store->health();
    ok = h.ok;
    store["state"] = h.ok ? "ok" : h.journaling ? "journaling" : "failing";
    // A database's error can quote a user's row or name its address: the details say only
    // what is wrong, never the database's words.
    if (!h.ok) {
      store["error"] = h.journaling ? "database unavailable: writes are kept in the journal"
                                    : "writes to the database are failing";
    }
    store["queued_writes"] = h.queued_writes;
    store["commits"] = h.commits;
    // Rows the database refused for their content, set aside (GET /api/admin/dead-letters).
    store["dead_letters"] = h.dead_letters;
    store["journal_bytes"] = h.journal_bytes;
    store["journal_records"] = h.journal_records;
    store["admissions_paused"] = h.admissions_paused;
  }
  boost::json::object cluster;
  if (info.cluster) {
    cluster = info.cluster();
    // Changes of the other nodes no longer arrive: this node may act on stale keys or rules.
    const boost::json::value* feed = cluster.if_contains("feed");
    if (feed != nullptr && !feed->at("connected").as_bool()) ok = false;
  }
  boost::json::object body{
      {"status", ok ? "ok" : "degraded"},
      {"version", core::kVersion},
      {"uptime_seconds", uptime_seconds(info, clock)},
      {"store", std::move(store)},
  };
  if (info.executor) body["executor"] = info.executor();
  if (info.alerts) body["alerts"] = info.alerts();
  if (info.rls) body["rls"] = info.rls();
  if (info.cluster) body["cluster"] = std::move(cluster);
  if (info.counters) {
    boost::json::object counters = info.counters();
    if (counters["state"] != "ok") body["status"] = "degraded";
    body["counters"] = std::move(counters);
  }
  boost::json::array reasons;
  for (std::string& r : not_ready_reasons(info)) reasons.emplace_back(std::move(r));
  body["ready"] = reasons.empty();
  body["not_ready"] = std::move(reasons);
  return body;
}

void add_health_routes(http::Router& router, const core::Clock& clock, HealthInfo info,
                       const identity::Directory* directory) {
  auto shared = std::make_shared<const HealthInfo>(std::move(info));
  // Liveness: that the process answers is the whole answer.
  router.add("GET", "/health", [&clock, shared](const http::Request&) {
    return http::json_response(200, {{"status", "ok"},
                                     {"version", core::kVersion},
                                     {"uptime_seconds", uptime_seconds(*shared, clock)}});
  });
  router.add("GET", "/ready", [shared](const http::Request&) {
    std::vector<std::string> reasons = not_ready_reasons(*shared);
    if (reasons.empty()) return http::json_response(200, {{"ready", true}});
    boost::json::array words;
    for (std::string& r : reasons) words.emplace_back(std::move(r));
    http::Response res =
        http::json_response(503, {{"ready", false}, {"reasons", std::move(words)}});
    res.headers.push_back({"Retry-After", "5"});
    return res;
  });
  if (directory == nullptr) return;
  router.add("GET", "/api/admin/health", [&clock, shared, directory](const http::Request& req) {
    auto caller = api::authenticate(req, *directory, /*admin_only=*/true);
    if (auto* refusal = std::get_if<http::Response>(&caller)) return std::move(*refusal);
    return http::json_response(200, health_details(*shared, clock));
  });
}

}  // namespace gaia::app
