#pragma once
// Router: maps (method, path) to a handler. A path is exact, or has `{name}` segments that
// match one non-empty segment each and reach the handler as Request::path_params,
// percent-decoded (Boost.URL: "/api/admin/users/eve.o%40x.org" gives name "eve.o@x.org";
// "%2F" stays inside its segment); exact paths win over patterns. Unknown paths answer 404, a known
// path with another method answers 405 with an Allow header, both with JSON bodies.
//
// Besides routes answered by one Response there are stream routes (a chunked response written
// piece by piece, see ResponseStream) and upgrade routes (the handler takes over the connection,
// e.g. for WebSocket). Both need the connection the request came on (an Exchange); without one
// (Router::route in tests) they answer 500.
//
// Blocking routes (handlers that may take long) run off the io threads, on a pool named at
// registration. Each pool is one class of work (admin reads, analytics, ...) with its own
// threads and a bounded queue, so that a flood of one class never delays another; a request
// that finds its pool full is answered 503 with Retry-After at once instead of waiting.
//
// Threads: add*() only before the router is handed to a Server; route() is const and may then
// be called from every io thread at once. Handlers must be safe to call concurrently.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "http/message.h"

namespace gaia::http {

using Handler = std::function<Response(const Request&)>;
// Answers later, from any thread, by calling the Responder once: for handlers that wait on
// something (a durable write) without holding an io thread. The Request and the Responder are
// lent until the handler returns: one that answers after that keeps a copy of the Responder.
using Responder = std::function<void(Response)>;
using AsyncHandler = std::function<void(const Request&, const Responder&)>;

// A chunked HTTP/1.1 response written piece by piece, from any thread. Chunks are queued and
// written in order by the connection; nothing blocks the caller.
//
// Back-pressure: at most ServerOptions::stream_max_pending_bytes may wait to be written; a
// write() that would pass the bound queues nothing and returns false, and the producer decides
// whether to drop the chunk or retry later (pending_bytes() says how far behind the client is).
//
// End: finish() sends the last chunk; the connection then serves its next request
// (keep-alive). If the stream ends any other way (the client closed or reset the connection,
// a write failed or timed out, the server stopped), on_close's callback runs, exactly once.
//
// Threads: every method may be called from any thread. Lifetime: a handle keeps its
// connection alive; drop every handle before the Server is destroyed (stop() ends every
// stream, and on_close tells the producer to let go).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Sends the status line and headers (Transfer-Encoding: chunked). Call once, before write();
  // a write() without it begins with 200 and application/octet-stream. Header names and values
  // must not contain CR or LF (such headers are dropped).
  virtual void begin(unsigned status, std::string content_type,
                     std::vector<Header> headers = {}) = 0;
  // Queues `chunk` as one HTTP chunk (an empty chunk is ignored). False, queueing nothing,
  // when the stream is closed or finished, or when the pending bytes would pass the bound.
  virtual bool write(std::string chunk) = 0;
  // Ends the response after every queued chunk. Later calls do nothing.
  virtual void finish() = 0;
  // True once finish() was called or the stream ended otherwise.
  virtual bool closed() const = 0;
  // Bytes queued and not yet written to the socket.
  virtual std::size_t pending_bytes() const = 0;
  // Runs `fn` once on an io thread when the stream ends without having finished (at once if
  // it already has). Replaces an earlier callback. `fn` must not block.
  virtual void on_close(std::function<void()> fn) = 0;
};

// Answers with a stream; the handler may keep the stream and write to it from any thread.
// Dropping every reference without finish() closes the connection (the client sees a
// truncated body) or, if nothing was begun, answers 500.
using StreamHandler = std::function<void(const Request&, std::shared_ptr<ResponseStream>)>;

// The connection taken over by an upgrade route: defined in http/ws_upgrade.h (it holds the
// socket, so it stays with the Asio and Beast headers).
struct Upgrade;
// Takes the connection once the router decided to hand it over.
using UpgradeTaker = std::function<void(std::unique_ptr<Upgrade>)>;
// Looks at an upgrade request and either refuses it with a Response (401, 403, 400, ...),
// which is written as usual, or returns the taker to which the connection is handed.
// Runs on the connection's io thread; it must not block.
using UpgradeHandler = std::function<std::variant<Response, UpgradeTaker>(const Request&)>;

// The connection a request came on, for routes that answer other than with one Response.
// Called only on the connection's own thread, during Router::route_async.
class Exchange {
 public:
  virtual ~Exchange() = default;
  // A chunked response on this connection. `observe` is called with the status at begin().
  virtual std::shared_ptr<ResponseStream> open_stream(std::function<void(unsigned)> observe) = 0;
  // Hands the connection to `take`; the connection then writes and reads nothing more.
  virtual void upgrade(UpgradeTaker take) = 0;
  // Runs `work` on blocking pool number `pool` (Router::pools()), off every io thread. False,
  // running nothing, when that pool is full.
  virtual bool run_blocking(std::size_t pool, std::function<void()> work) = 0;
};

// The size of one class of blocking work: `threads` handlers run at once and at most
// `max_queued` more wait for a thread; one more is refused (503).
struct PoolLimits {
  unsigned threads = 1;
  std::size_t max_queued = 0;
};
struct BlockingPoolSpec {
  std::string name;
  PoolLimits limits;
};
// One registered route: its method and its path as registered ("/api/admin/users/{name}").
struct RouteEntry {
  std::string method;
  std::string path;
};

// Sees every answered request: the registered path it matched ("" if none), the method
// ("other" for one no route of the path answers: an unmatched path, a 405) and the status.
using RouteObserver =
    std::function<void(std::string_view route, std::string_view method, unsigned status)>;

class Router {
 public:
  // Registers `handler` for `method` (e.g. "GET") on `path` (e.g. "/health" or
  // "/api/admin/users/{name}"). A GET route also answers HEAD, without the body. Throws
  // std::logic_error if the pair is already registered (by any add_*): a route has one owner.
  void add(std::string method, std::string path, Handler handler);
  void add_async(std::string method, std::string path, AsyncHandler handler);
  void add_stream(std::string method, std::string path, StreamHandler handler);
  void add_upgrade(std::string method, std::string path, UpgradeHandler handler);
  // Declares the pool `name` for blocking routes. Throws std::logic_error if `name` is
  // declared already, or if limits.threads is 0.
  void add_pool(std::string name, PoolLimits limits);
  // A handler that may take long (a rebuild, a scan of the store): it runs on the declared
  // pool `pool`, so that the io thread, and every connection on it, goes on meanwhile.
  // Throws std::logic_error if `pool` was not declared.
  void add_blocking(std::string method, std::string path, std::string_view pool, Handler handler);
  // A stream route whose handler may take a while (a lookup in the store): the stream is
  // opened on the io thread, and the handler runs with it on the declared pool `pool`.
  void add_stream_blocking(std::string method, std::string path, std::string_view pool,
                           StreamHandler handler);

  // Every registered route, sorted by path then method (HEAD, answered by GET routes, is not
  // listed): what the API documents (docs/openapi.yaml).
  std::vector<RouteEntry> routes() const;

  // The declared pools, in the order of add_pool(); a pool's number is its index here.
  const std::vector<BlockingPoolSpec>& pools() const { return pools_; }

  // Called after every route(); set before the router is handed to a Server.
  void set_observer(RouteObserver observer) { observer_ = std::move(observer); }

  // Passes the response of the matching handler, or a 404/405 response, to `respond`, on
  // this thread for a plain handler. A handler that throws answers 500; the exception goes
  // no further. Stream and upgrade routes use `exchange` (500 when it is null); `respond` is
  // then called only for a refusal or an error. A blocking route runs on `exchange`'s pool,
  // or on this thread when `exchange` is null.
  // `req` must stay valid until `respond` is called (the router fills its path parameters).
  void route_async(Request& req, Responder respond, Exchange* exchange = nullptr) const;
  // The same, waiting for the answer.
  Response route(Request req) const;

 private:
  struct Route {
    std::string method = {};
    AsyncHandler handler = {};  // exactly one of the four is set
    std::string path = {};      // as registered, e.g. "/api/admin/users/{name}"
    StreamHandler stream = {};
    bool stream_blocks = false;  // run `stream` on pool number `pool`
    UpgradeHandler upgrade = {};
    Handler blocking = {};  // runs on pool number `pool`
    std::size_t pool = 0;
  };
  struct Pattern {
    std::vector<std::string> segments;  // "{name}" or a literal
    std::vector<Route> routes;
  };
  // The routes of `req.path`, filling its path parameters; nullptr if none.
  const std::vector<Route>* match(Request& req) const;
  static bool answers_head(const Route& r);
  // The route of `routes` (one path's) that answers `method`, or nullptr.
  static const Route* choose(const std::vector<Route>& routes, std::string_view method);
  // Runs `chosen`, choose()'s route of `routes` for the request, or answers 405.
  void dispatch(const std::vector<Route>& routes, const Route* chosen, const Request& req,
                Responder respond, Exchange* exchange) const;
  void run(const Route& r, const Request& req, Responder& respond, Exchange* exchange) const;
  void add_route(std::string method, std::string path, Route route);
  std::size_t pool_number(std::string_view name) const;
  // The answer of a route whose pool is full.
  Response pool_full(std::size_t pool) const;

  std::unordered_map<std::string, std::vector<Route>> routes_;  // exact paths
  std::vector<Pattern> patterns_;
  std::vector<BlockingPoolSpec> pools_;
  RouteObserver observer_;
};

}  // namespace gaia::http
