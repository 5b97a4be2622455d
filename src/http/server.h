#pragma once
// Server: an HTTP/1.1 server with keep-alive on a pool of io threads, answering every request
// through a Router, over plain TCP or TLS (ServerOptions::tls_*). Asio, Beast and OpenSSL stay
// behind this header.
//
// Every read and write is bounded (ServerOptions), so a slow or broken client only ever costs
// its own connection; malformed requests are answered 400 (431/413 for oversized ones) and the
// connection closed. Open connections are capped, in all and per client address: one past a
// cap is closed at once, unread. Blocking routes run on the router's pools (router.h).
//
// Threads: start() and stop() from one controlling thread; port() from any thread after a
// successful start(). The destructor stops the server if it is still running.
//
// Example:
//   Router router;
//   router.add("GET", "/health", [](const Request&) { return json_response(200, {}); });
//   Server server({.address = "127.0.0.1", .port = 0}, std::move(router));
//   if (Status s = server.start(); !s.ok()) { ... }
//   ... server.port() ...
//   server.stop();

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "http/router.h"

namespace gaia::http {

// Told of the server's connections, for metrics. Called from the io threads, and closed()
// from whichever thread lets go of a connection last; it must not block.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  virtual void opened() = 0;
  virtual void closed() = 0;
  // A connection closed at accept, past ServerOptions::max_connections ("total") or
  // max_connections_per_ip ("per_ip").
  virtual void refused(std::string_view reason) = 0;
};

// One answered request, for an access log: told once its status is known (a plain
// response when it is written; a stream when it begins, its size then unknown; a WebSocket
// when it is upgraded). Called on the connection's io thread; it must not block.
struct AccessRecord {
  const Request& request;  // method, path (no query) and headers, as read
  unsigned status;
  std::optional<std::size_t> body_bytes;  // nullopt for a stream or an upgrade
  std::chrono::microseconds duration;     // from the request read to its answer
};
class AccessObserver {
 public:
  virtual ~AccessObserver() = default;
  virtual void answered(const AccessRecord& record) = 0;
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 literal
  uint16_t port = 8080;               // 0: the system picks; read it with port()
  unsigned io_threads = 1;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive wait for a request to begin
  std::chrono::milliseconds read_timeout{15'000};  // a begun request must be read within this
  std::chrono::milliseconds write_timeout{15'000};
  std::chrono::milliseconds drain_timeout{10'000};  // stop(): longest wait for in-flight work
  // A ResponseStream's bound on bytes queued and not yet written (see router.h).
  std::size_t stream_max_pending_bytes = 1024 * 1024;
  // Open connections at most, in all and from one client address (an IPv6 client by its
  // /64); WebSocket connections count too. One past either cap is closed at once.
  std::size_t max_connections = 10'000;
  std::size_t max_connections_per_ip = 1'000;
  ConnectionObserver* observer = nullptr;  // may be null; must outlive the server
  AccessObserver* access = nullptr;        // may be null; must outlive the server
  // The time of the Date header, the access log's durations and the read and write deadlines.
  // REQUIRES: set (start() refuses a server without one); must outlive the server.
  const core::Clock* clock = nullptr;
  // HTTPS (and wss): both set, every connection speaks TLS with this certificate chain and
  // private key (PEM files, read by start()); both empty, plain HTTP.
  std::string tls_cert_file = "";
  std::string tls_key_file = "";
};

class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, then serves on options.io_threads threads. Fails (and leaves nothing
  // running) if the address is invalid or cannot be bound, or if the TLS certificate or key
  // cannot be read, do not match, or only one of them is given. REQUIRES: not started before.
  core::Status start();

  // The bound port (the real one when options.port was 0). REQUIRES: start() succeeded.
  uint16_t port() const;

  // Graceful stop: accepts no more connections, closes idle keep-alive connections, lets
  // requests in flight finish (answered with "Connection: close"), then joins the io threads.
  // An open response stream gets half the drain timeout to finish; then it is closed (its
  // on_close callback runs). Upgraded connections (WebSocket) are asked to close.
  // Work still running after options.drain_timeout is abandoned. Idempotent.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gaia::http
