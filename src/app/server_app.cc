#include "app/server_app.h"

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "app/health.h"
#include "app/system_clock.h"
#include "core/limiter.h"
#include "http/server.h"
#include "http/signal_waiter.h"

namespace gaia::app {

namespace {

// Creates the directory that will hold the SQLite file. TODO(app): open the store here.
bool init_database(const Config& config, std::ostream& out, std::ostream& err) {
  out << "[INIT] Initializing SQLite database..." << std::endl;
  std::filesystem::path parent = std::filesystem::path(config.sqlite_path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    err << "[ERROR] cannot create database directory " << parent << ": " << ec.message()
        << std::endl;
    return false;
  }
  out << "[INIT] ✓ Database connection established" << std::endl;
  return true;
}

// The limiter with the built-in default rules in the configured time zone.
std::unique_ptr<core::Limiter> build_limiter(const Config& config, std::ostream& err) {
  auto calendar = core::Calendar::in_zone(config.time_zone);
  if (!calendar.ok()) {
    err << "[ERROR] " << calendar.status().message() << std::endl;
    return nullptr;
  }
  auto rules = core::RuleSet::compile(core::default_rules(),
                                      {core::default_command_types(), calendar.value(), {}});
  if (!rules.ok()) {
    err << "[ERROR] rules: " << rules.status().message() << std::endl;
    return nullptr;
  }
  return std::make_unique<core::Limiter>(rules.value(), core::LimiterOptions{});
}

std::string host_for_url(const std::string& address) {
  return address.find(':') == std::string::npos ? address : "[" + address + "]";
}

}  // namespace

int run_server(const Config& config, std::ostream& out, std::ostream& err) {
  SystemClock clock;
  HealthInfo health{clock.mono_now(), "sqlite", config.sqlite_path};
  // Catch the signals before any thread starts, so none of them dies of SIGTERM.
  http::SignalWaiter signals;

  if (!init_database(config, out, err)) return 1;
  out << "[INIT] Initializing Rate Limiting Service..." << std::endl;
  auto limiter = build_limiter(config, err);
  if (!limiter) return 1;
  out << "[INIT] ✓ Rate Limiting Service initialized" << std::endl;

  http::Router router;
  add_health_route(router, clock, health);
  http::Server server(
      {.address = config.bind_address, .port = config.port, .io_threads = config.io_threads},
      std::move(router));
  if (core::Status s = server.start(); !s.ok()) {
    err << "[ERROR] HTTP server: " << s.message() << std::endl;
    return 1;
  }
  std::string where = host_for_url(config.bind_address) + ":" + std::to_string(server.port());
  out << "[INFO] Starting HTTP server on " << where << std::endl;
  out << "[INFO] Health: http://" << where << "/health" << std::endl;

  signals.wait();
  out << "[INFO] Shutting down" << std::endl;
  server.stop();
  return 0;
}

}  // namespace gaia::app
