#include "http/router.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <future>
#include <utility>

namespace gaia::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string path, Handler handler) {
  add_async(std::move(method), std::move(path),
            [handler = std::move(handler)](const Request& req, Responder respond) {
              respond(handler(req));
            });
}

void Router::add_async(std::string method, std::string path, AsyncHandler handler) {
  if (path.find('{') == std::string::npos) {
    add_route(routes_[path], std::move(method), path, std::move(handler));
    return;
  }
  std::vector<std::string> segments;
  for (std::string_view s : split_path(path)) segments.emplace_back(s);
  for (Pattern& p : patterns_) {
    if (p.segments == segments) {
      add_route(p.routes, std::move(method), path, std::move(handler));
      return;
    }
  }
  patterns_.push_back({std::move(segments), {}});
  add_route(patterns_.back().routes, std::move(method), path, std::move(handler));
}

void Router::add_route(std::vector<Route>& routes, std::string method, std::string path,
                       AsyncHandler handler) {
  for (Route& r : routes) {
    if (r.method == method) {
      r.handler = std::move(handler);
      return;
    }
  }
  routes.push_back(Route{std::move(method), std::move(handler), std::move(path)});
}

const std::vector<Router::Route>* Router::match(Request& req) const {
  if (auto it = routes_.find(req.path); it != routes_.end()) return &it->second;
  if (patterns_.empty() || req.path.empty() || req.path.front() != '/') return nullptr;
  std::vector<std::string_view> segments = split_path(req.path);
  for (const Pattern& p : patterns_) {
    if (p.segments.size() != segments.size()) continue;
    std::vector<Header> params;
    bool matched = true;
    for (size_t i = 0; i < segments.size() && matched; ++i) {
      if (is_param(p.segments[i])) {
        matched = !segments[i].empty();
        params.push_back(
            {p.segments[i].substr(1, p.segments[i].size() - 2), std::string(segments[i])});
      } else {
        matched = p.segments[i] == segments[i];
      }
    }
    if (matched) {
      req.path_params = std::move(params);
      return &p.routes;
    }
  }
  return nullptr;
}

void Router::route_async(Request req, Responder respond) const {
  const std::vector<Route>* routes = match(req);
  if (observer_) {
    respond = [this, route = routes ? routes->front().path : std::string(), method = req.method,
               respond = std::move(respond)](Response res) {
      observer_(route, method, res.status);
      respond(std::move(res));
    };
  }
  if (routes == nullptr) {
    return respond(error_response(404, "not_found", "no resource at " + req.path));
  }
  dispatch(*routes, req, std::move(respond));
}

Response Router::route(Request req) const {
  std::promise<Response> answer;
  route_async(std::move(req), [&answer](Response res) { answer.set_value(std::move(res)); });
  return answer.get_future().get();
}

void Router::dispatch(const std::vector<Route>& routes, const Request& req, Responder respond) {
  std::string allow;
  for (const Route& r : routes) {
    if (r.method == req.method) {
      try {
        r.handler(req, respond);
      } catch (const std::exception& e) {
        spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
        respond(error_response(500, "internal", "internal error"));
      }
      return;
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  Response r =
      error_response(405, "method_not_allowed", req.method + " not allowed on " + req.path);
  r.headers.push_back({"Allow", std::move(allow)});
  respond(std::move(r));
}

}  // namespace gaia::http
