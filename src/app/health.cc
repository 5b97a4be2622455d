#include "app/health.h"

#include <boost/json/object.hpp>
#include <chrono>
#include <utility>

#include "core/version.h"

namespace gaia::app {

void add_health_route(http::Router& router, const core::Clock& clock, HealthInfo info) {
  router.add("GET", "/health", [&clock, info = std::move(info)](const http::Request&) {
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(clock.mono_now() - info.started);
    boost::json::object store{{"kind", info.store_kind}, {"path", info.store_path}};
    bool ok = true;
    if (info.store != nullptr) {
      store::StoreHealth h = info.store->health();
      ok = h.ok;
      store["state"] = h.ok ? "ok" : h.journaling ? "journaling" : "failing";
      // /health is unauthenticated, and a database's error can quote a user's row or name
      // its address: it says only what is wrong, never the database's words.
      if (!h.ok) {
        store["error"] = h.journaling ? "database unavailable: writes are kept in the journal"
                                      : "writes to the database are failing";
      }
      store["queued_writes"] = h.queued_writes;
      store["commits"] = h.commits;
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
        {"uptime_seconds", uptime.count()},
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
    return http::json_response(200, body);
  });
}

}  // namespace gaia::app
