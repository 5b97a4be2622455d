#include "http/router.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace gaia::http {

void Router::add(std::string method, std::string path, Handler handler) {
  std::vector<Route>& routes = routes_[std::move(path)];
  for (Route& r : routes) {
    if (r.method == method) {
      r.handler = std::move(handler);
      return;
    }
  }
  routes.push_back(Route{std::move(method), std::move(handler)});
}

Response Router::route(const Request& req) const {
  auto it = routes_.find(req.path);
  if (it == routes_.end()) {
    return error_response(404, "not_found", "no resource at " + req.path);
  }
  std::string allow;
  for (const Route& r : it->second) {
    if (r.method == req.method) {
      try {
        return r.handler(req);
      } catch (const std::exception& e) {
        spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
        return error_response(500, "internal", "internal error");
      }
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  Response r =
      error_response(405, "method_not_allowed", req.method + " not allowed on " + req.path);
  r.headers.push_back({"Allow", std::move(allow)});
  return r;
}

}  // namespace gaia::http
