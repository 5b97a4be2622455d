#include "http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/parse_path.hpp>
#include <exception>
#include <future>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "http/detail/target_text.h"

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

// The segments of a request's path, percent-decoded by Boost.URL ("eve.o%40x.org" is
// "eve.o@x.org", "a%2Fb" one segment "a/b"); nullopt when the path is not a valid URL path.
std::optional<std::vector<std::string>> decoded_segments(std::string_view path) {
  auto parsed = boost::urls::parse_path(path);
  if (!parsed || !parsed->is_absolute()) return std::nullopt;
  std::vector<std::string> segments;
  segments.reserve(parsed->size());
  for (const boost::urls::pct_string_view s : *parsed) segments.push_back(s.decode());
  return segments;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// A full pool frees a thread as soon as one handler ends: a second is a fair wait.
constexpr std::string_view kPoolFullRetryAfterSeconds = "1";

}  // namespace

void Router::add(std::string method, std::string path, Handler handler) {
  add_async(std::move(method), std::move(path),
            [handler = std::move(handler)](const Request& req, const Responder& respond) {
              respond(handler(req));
            });
}

void Router::add_async(std::string method, std::string path, AsyncHandler handler) {
  add_route(std::move(method), std::move(path), {.handler = std::move(handler)});
}

void Router::add_stream(std::string method, std::string path, StreamHandler handler) {
  add_route(std::move(method), std::move(path), {.stream = std::move(handler)});
}

void Router::add_stream_blocking(std::string method, std::string path, std::string_view pool,
                                 StreamHandler handler) {
  add_route(std::move(method), std::move(path),
            {.stream = std::move(handler), .stream_blocks = true, .pool = pool_number(pool)});
}

void Router::add_upgrade(std::string method, std::string path, UpgradeHandler handler) {
  add_route(std::move(method), std::move(path), {.upgrade = std::move(handler)});
}

void Router::add_blocking(std::string method, std::string path, std::string_view pool,
                          Handler handler) {
  add_route(std::move(method), std::move(path),
            {.blocking = std::move(handler), .pool = pool_number(pool)});
}

void Router::add_pool(std::string name, PoolLimits limits) {
  if (limits.threads == 0) throw std::logic_error("pool " + name + " needs at least one thread");
  for (const BlockingPoolSpec& p : pools_) {
    if (p.name == name) throw std::logic_error("pool " + name + " is already declared");
  }
  pools_.push_back({std::move(name), limits});
}

std::size_t Router::pool_number(std::string_view name) const {
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i].name == name) return i;
  }
  throw std::logic_error("pool " + std::string(name) + " is not declared");
}

Response Router::pool_full(std::size_t pool) const {
  Response r = error_response(
      503, "busy", "the server is busy with " + pools_[pool].name + " work; try again shortly");
  r.headers.push_back({"Retry-After", std::string(kPoolFullRetryAfterSeconds)});
  return r;
}

void Router::add_route(std::string method, std::string path, Route route) {
  route.method = std::move(method);
  route.path = path;
  std::vector<Route>* routes = nullptr;
  if (path.find('{') == std::string::npos) {
    routes = &routes_[path];
  } else {
    std::vector<std::string> segments;
    for (std::string_view s : split_path(path)) segments.emplace_back(s);
    for (Pattern& p : patterns_) {
      if (p.segments == segments) routes = &p.routes;
    }
    if (routes == nullptr) {
      patterns_.push_back({std::move(segments), {}});
      routes = &patterns_.back().routes;
    }
  }
  for (const Route& r : *routes) {
    if (r.method == route.method) {
      throw std::logic_error("route " + route.method + " " + path + " is already registered");
    }
  }
  routes->push_back(std::move(route));
}

const std::vector<Router::Route>* Router::match(Request& req) const {
  if (auto it = routes_.find(req.path); it != routes_.end()) return &it->second;
  if (req.path.empty() || req.path.front() != '/') return nullptr;
  // Without a %-escape the segments are the path's own text: no decoding, no allocation for
  // the text itself.
  std::vector<std::string> decoded;
  std::vector<std::string_view> segments;
  if (req.path.find('%') == std::string::npos) {
    segments = split_path(req.path);
  } else {
    auto parsed = decoded_segments(req.path);
    if (!parsed) return nullptr;
    decoded = std::move(*parsed);
    segments.assign(decoded.begin(), decoded.end());
    // An escaped fixed path ("/api/%61dmin/users") is the same path; a decoded "/" is not a
    // separator, so such a path names no fixed route.
    std::string joined;
    bool has_slash = false;
    for (std::string_view s : segments) {
      joined.append("/").append(s);
      has_slash = has_slash || s.find('/') != std::string_view::npos;
    }
    if (auto it = routes_.find(joined); !has_slash && it != routes_.end()) return &it->second;
  }
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

std::vector<RouteEntry> Router::routes() const {
  std::vector<RouteEntry> out;
  auto list = [&out](const std::vector<Route>& routes) {
    for (const Route& r : routes) out.push_back({r.method, r.path});
  };
  for (const auto& [path, routes] : routes_) list(routes);
  for (const Pattern& p : patterns_) list(p.routes);
  std::sort(out.begin(), out.end(), [](const RouteEntry& a, const RouteEntry& b) {
    return std::tie(a.path, a.method) < std::tie(b.path, b.method);
  });
  return out;
}

void Router::route_async(Request& req, Responder respond, Exchange* exchange) const {
  const std::vector<Route>* routes = match(req);
  const Route* chosen = routes ? choose(*routes, req.method) : nullptr;
  if (observer_) {
    // Label values must stay a bounded set: a method no route of the path answers is "other".
    respond = [this, route = routes ? routes->front().path : std::string(),
               method = chosen ? req.method : std::string("other"),
               respond = std::move(respond)](Response res) {
      observer_(route, method, res.status);
      respond(std::move(res));
    };
  }
  if (routes == nullptr) {
    return respond(error_response(404, "not_found", "no resource at " + req.path));
  }
  if (auto refused = detail::refused_target(req)) return respond(std::move(*refused));
  dispatch(*routes, chosen, req, std::move(respond), exchange);
}

Response Router::route(Request req) const {
  std::promise<Response> answer;
  route_async(req, [&answer](Response res) { answer.set_value(std::move(res)); });
  return answer.get_future().get();
}

void Router::run(const Route& r, const Request& req, Responder& respond, Exchange* exchange) const {
  if (r.handler) return r.handler(req, respond);
  if (r.blocking && exchange == nullptr) return respond(r.blocking(req));
  if (r.blocking) {
    // `respond` stays here until the pool takes the work: a full pool answers with it.
    auto shared_respond = std::make_shared<Responder>(std::move(respond));
    const bool taken = exchange->run_blocking(r.pool, [&r, req, shared_respond]() {
      try {
        (*shared_respond)(r.blocking(req));
      } catch (const std::exception& e) {
        spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
        (*shared_respond)(error_response(500, "internal", "internal error"));
      }
    });
    if (!taken) (*shared_respond)(pool_full(r.pool));
    return;
  }
  if (exchange == nullptr) {
    return respond(error_response(500, "internal", "this route needs a connection"));
  }
  if (r.stream) {
    // The observer sees the status the handler begins the stream with.
    std::function<void(unsigned)> observe;
    if (observer_) {
      observe = [this, route = r.path, method = req.method](unsigned status) {
        observer_(route, method, status);
      };
    }
    std::shared_ptr<ResponseStream> stream = exchange->open_stream(std::move(observe));
    if (!r.stream_blocks) return r.stream(req, std::move(stream));
    // A handler that throws drops the stream, which then answers 500 (or ends the connection).
    const bool taken = exchange->run_blocking(r.pool, [&r, req, stream]() mutable {
      try {
        r.stream(req, std::move(stream));
      } catch (const std::exception& e) {
        spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
      }
    });
    if (!taken) {
      Response full = pool_full(r.pool);
      stream->begin(full.status, std::string(full.content_type), std::move(full.headers));
      stream->write(std::move(full.body));
      stream->finish();
    }
    return;
  }
  auto answer = r.upgrade(req);
  if (auto* refusal = std::get_if<Response>(&answer)) return respond(std::move(*refusal));
  exchange->upgrade(std::move(std::get<UpgradeTaker>(answer)));
  if (observer_) observer_(r.path, req.method, 101);
}

// HEAD is GET without the body (RFC 9110 9.3.2): a GET route answers it, and the connection
// writes the headers alone, Content-Length included. An upgrade route (WebSocket) has none.
bool Router::answers_head(const Route& r) { return r.method == "GET" && !r.upgrade; }

const Router::Route* Router::choose(const std::vector<Route>& routes, std::string_view method) {
  const Route* chosen = nullptr;
  for (const Route& r : routes) {
    if (r.method == method) chosen = &r;
    if (method == "HEAD" && chosen == nullptr && answers_head(r)) chosen = &r;
  }
  return chosen;
}

void Router::dispatch(const std::vector<Route>& routes, const Route* chosen, const Request& req,
                      Responder respond, Exchange* exchange) const {
  if (chosen == nullptr) {
    std::string allow;
    for (const Route& r : routes) {
      if (!allow.empty()) allow += ", ";
      allow += r.method;
      if (answers_head(r)) allow += ", HEAD";
    }
    Response r =
        error_response(405, "method_not_allowed", req.method + " not allowed on " + req.path);
    r.headers.push_back({"Allow", std::move(allow)});
    return respond(std::move(r));
  }
  try {
    run(*chosen, req, respond, exchange);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
    respond(error_response(500, "internal", "internal error"));
  }
}

}  // namespace gaia::http
