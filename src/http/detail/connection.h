#pragma once
// Connection: one accepted TCP connection, reading a request and writing its response in turn
// (HTTP/1.1 keep-alive). Kept alive by its pending operations (shared_ptr); every operation
// runs on the connection's strand, so its members need no lock.
//
// ConnectionRegistry: the live connections of one Server, so that stop() can reach them.
// Threads: the registry may be used from any thread; a Connection only from its strand,
// except start() and shutdown(), which post to it.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "http/router.h"
#include "http/server.h"

namespace gaia::http::detail {

class Connection;

// A connection's executor: its strand, by concrete type, so that every operation on it
// skips the type erasure of any_io_executor.
using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using StrandSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand>;

class ConnectionRegistry {
 public:
  // Adds `c` and returns true, unless close_all() has run: then adds nothing, returns false.
  bool add(const std::shared_ptr<Connection>& c);
  void remove(const Connection* c);
  // From now on add() refuses and stopping() is true; every live connection is asked to
  // shut down.
  void close_all();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

 private:
  std::mutex mu_;
  // Written under mu_ (so add() and close_all() agree); read without it by stopping(), which
  // lets a handler that was running when stop() began answer "Connection: close".
  std::atomic<bool> stopping_ = false;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> live_;  // guarded by mu_
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `router`, `options` and `registry` must outlive every Connection: the Server owns them and
  // joins its threads, or destroys its io_context, before they go.
  Connection(StrandSocket socket, const Router& router, const ServerOptions& options,
             ConnectionRegistry& registry);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // Closes now if idle between requests; otherwise answers the request in flight with
  // "Connection: close" and then closes.
  void shutdown();

 private:
  enum class Phase { kIdle, kBusy };

  void wait_for_request();
  void on_first_bytes(boost::beast::error_code ec, std::size_t n);
  void read_request();
  void on_read(boost::beast::error_code ec);
  void write(Response res, bool keep_alive);
  void on_write(boost::beast::error_code ec, bool keep_alive);
  void close();

  boost::beast::basic_stream<boost::asio::ip::tcp, Strand> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  const Router& router_;
  const ServerOptions& options_;
  ConnectionRegistry& registry_;
  Phase phase_ = Phase::kBusy;
  bool stopping_ = false;
};

}  // namespace gaia::http::detail
