#pragma once
// run_server: gaia_server's life after configuration: start-up ([INIT] lines), serving, and a
// clean shutdown on SIGTERM or SIGINT. Call from main's thread only.
//
// ServerApp: the server's parts, and the order in which they are built, started and stopped.
// The parts are its members, declared in the order build() makes them, so they are destroyed
// in the reverse order; start() and stop() call each step in its order. Each part is built in
// a file of its own: the store (app/stores), the services (app/services), the executor stack
// (app/exec_stack), the live side (app/live_side), the cluster side (app/cluster_side), Envoy's
// rate limit service when configured (rls/rls_server), the routes (app/routes), the HTTP server,
// then the chores (app/server_chores).
//
// Ownership: borrows the config, clock and streams, which must outlive it.
// Threads: every method on the thread that runs the server.

#include <memory>
#include <ostream>

#include "app/access_log.h"
#include "app/chores.h"
#include "app/cluster_side.h"
#include "app/config.h"
#include "app/exec_stack.h"
#include "app/live_side.h"
#include "app/routes.h"
#include "app/services.h"
#include "core/clock.h"
#include "http/server.h"
#include "rls/rls_server.h"
#include "store/store.h"

namespace gaia::app {

// Starts everything `config` describes, serves until SIGTERM/SIGINT, then stops gracefully.
// Progress goes to `out`, failures to `err`. Returns the process exit code: 0 after a clean
// shutdown, 1 if start-up failed.
int run_server(const Config& config, std::ostream& out, std::ostream& err);

class ServerApp {
 public:
  ServerApp(const Config& config, const core::Clock& clock, std::ostream& out, std::ostream& err);
  ServerApp(const ServerApp&) = delete;
  ServerApp& operator=(const ServerApp&) = delete;
  ~ServerApp();

  // Builds every part, writing the [INIT] lines to `out`; false, with the reason on `err`,
  // when one cannot be built (those built are destroyed with the app). Starts nothing.
  bool build();
  // Starts serving, then writes the [INFO] lines that say where. False, with the reason on
  // `err`, when the HTTP server cannot listen (then nothing else was started).
  // REQUIRES: build() succeeded.
  bool start();
  // The first step of a shutdown: no new command is taken (503 with Retry-After; /ready
  // answers 503), those running may finish for GAIA_SHUTDOWN_GRACE_S; what still runs then
  // is cancelled by stop(), its clients told why. REQUIRES: start() succeeded.
  void drain();
  // Stops every part and saves what is held in memory. Returns the exit code: 0, or 1 when
  // the store cannot be flushed. REQUIRES: start() succeeded.
  int stop();

 private:
  // Envoy's rate limit service, when GAIA_RLS_PORT is set; false, with the reason on `err`,
  // when it cannot be made.
  bool build_rls();
  void report_parts() const;
  void report_serving() const;
  void save_reputation();
  void flush_analytics();
  bool flush_store();

  const Config& config_;
  const core::Clock& clock_;
  std::ostream& out_;
  std::ostream& err_;

  // The parts, in the order build() makes them; destroyed in the reverse order.
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<ExecStack> exec_;
  std::unique_ptr<LiveSide> live_;
  std::unique_ptr<ClusterSide> cluster_;  // holds nothing on SQLite
  std::unique_ptr<rls::RlsServer> rls_;   // null unless GAIA_RLS_PORT is set
  std::unique_ptr<RouteState> route_state_;
  std::unique_ptr<AccessLog> access_log_;  // null unless GAIA_ACCESS_LOG is set
  std::unique_ptr<http::Server> http_;
  // Made by start(), in this order, once the parts above run.
  std::unique_ptr<Chores> upkeep_chores_;
  std::unique_ptr<Chores> analytics_chores_;
};

}  // namespace gaia::app
