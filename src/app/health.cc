#include "app/health.h"

#include <boost/json/object.hpp>
#include <chrono>
#include <utility>

#include "app/version.h"

namespace gaia::app {

void add_health_route(http::Router& router, const core::Clock& clock, HealthInfo info) {
  router.add("GET", "/health", [&clock, info = std::move(info)](const http::Request&) {
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(clock.mono_now() - info.started);
    return http::json_response(
        200,
        boost::json::object{
            {"status", "ok"},
            {"version", kVersion},
            {"uptime_seconds", uptime.count()},
            {"store", boost::json::object{{"kind", info.store_kind}, {"path", info.store_path}}},
        });
  });
}

}  // namespace gaia::app
