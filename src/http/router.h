#pragma once
// Router: maps (method, path) to a handler. A path is exact, or has `{name}` segments that
// match one non-empty segment each and reach the handler as Request::path_params; exact
// paths win over patterns. Unknown paths answer 404, a known path with
// another method answers 405 with an Allow header, both with JSON bodies.
//
// Threads: add() only before the router is handed to a Server; route() is const and may then
// be called from every io thread at once. Handlers must be safe to call concurrently.

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/message.h"

namespace gaia::http {

using Handler = std::function<Response(const Request&)>;
// Answers later, from any thread, by calling the Responder once: for handlers that wait on
// something (a durable write) without holding an io thread. The Request is valid only until
// the handler returns.
using Responder = std::function<void(Response)>;
using AsyncHandler = std::function<void(const Request&, Responder)>;
// Sees every answered request: the registered path it matched ("" if none), the method and
// the status.
using RouteObserver =
    std::function<void(std::string_view route, std::string_view method, unsigned status)>;

class Router {
 public:
  // Registers `handler` for `method` (e.g. "GET") on `path` (e.g. "/health" or
  // "/api/admin/users/{name}"), replacing any earlier handler for the same pair.
  void add(std::string method, std::string path, Handler handler);
  void add_async(std::string method, std::string path, AsyncHandler handler);

  // Called after every route(); set before the router is handed to a Server.
  void set_observer(RouteObserver observer) { observer_ = std::move(observer); }

  // Passes the response of the matching handler, or a 404/405 response, to `respond`, on
  // this thread for a plain handler. A handler that throws answers 500; the exception goes
  // no further.
  void route_async(Request req, Responder respond) const;
  // The same, waiting for the answer.
  Response route(Request req) const;

 private:
  struct Route {
    std::string method;
    AsyncHandler handler;
    std::string path;  // as registered, e.g. "/api/admin/users/{name}"
  };
  struct Pattern {
    std::vector<std::string> segments;  // "{name}" or a literal
    std::vector<Route> routes;
  };
  // The routes of `req.path`, filling its path parameters; nullptr if none.
  const std::vector<Route>* match(Request& req) const;
  static void dispatch(const std::vector<Route>& routes, const Request& req, Responder respond);
  static void add_route(std::vector<Route>& routes, std::string method, std::string path,
                        AsyncHandler handler);

  std::unordered_map<std::string, std::vector<Route>> routes_;  // exact paths
  std::vector<Pattern> patterns_;
  RouteObserver observer_;
};

}  // namespace gaia::http
