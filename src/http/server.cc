#include "http/server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "http/detail/blocking_pools.h"
#include "http/detail/connection.h"
#include "http/detail/connection_caps.h"

namespace gaia::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// After a failed accept (e.g. out of file descriptors) wait before retrying instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
}  // namespace

// Each io thread runs its own io_context, as each nginx worker runs its own event loop: a
// connection lives on one of them, so its handlers never run concurrently (no strand needed)
// and the schedulers share no lock. Connections are dealt to the threads in turn.
//
// Member order matters: the registry, caps, pools and router outlive the io_contexts, whose
// destruction may destroy connections still queued in them.
struct Server::State {
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;

  State(ServerOptions o, Router r)
      : options(std::move(o)),
        router(std::move(r)),
        caps(options.max_connections, options.max_connections_per_ip, options.observer),
        blocking(router.pools()),
        loops(make_loops(options.io_threads)),
        acceptor(loops.front()->get_executor()),
        retry_timer(acceptor.get_executor()) {}

  static std::vector<std::unique_ptr<asio::io_context>> make_loops(unsigned threads) {
    std::vector<std::unique_ptr<asio::io_context>> loops;
    for (unsigned i = 0; i < std::max(1u, threads); ++i) {
      // No concurrency hint of 1, though one thread runs each: with it, Asio queues a post
      // from the loop's own thread privately until the running handler returns, so it could
      // land after a later post from another thread, and a stream's writes must keep their order.
      loops.push_back(std::make_unique<asio::io_context>());
    }
    return loops;
  }

  void accept();
  core::Status load_tls();

  ServerOptions options;
  Router router;
  detail::ConnectionRegistry registry;
  detail::ConnectionCaps caps;
  detail::BlockingPools blocking;  // runs blocking routes; joined by stop()
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<WorkGuard> keep_running;    // until stop(): a loop with no connection waits
  std::optional<asio::ssl::context> tls;  // set by start() when options ask for TLS
  tcp::acceptor acceptor;                 // on the first loop
  asio::steady_timer retry_timer;
  size_t next_loop = 0;  // the loop the next connection goes to; acceptor's loop only
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;  // controlling thread only
  bool stopped = false;  // controlling thread only

  core::Mutex mu;
  core::CondVar threads_done;
  unsigned running GUARDED_BY(mu) = 0;
};

void Server::State::accept() {
  asio::io_context& loop = *loops[next_loop];
  next_loop = (next_loop + 1) % loops.size();
  acceptor.async_accept(
      loop.get_executor(), [this](boost::system::error_code ec, detail::Socket socket) {
        if (!acceptor.is_open()) return;  // stop() closed it
        if (ec) {
          spdlog::warn("accept failed: {}", ec.message());
          retry_timer.expires_after(kAcceptRetryDelay);
          retry_timer.async_wait([this](boost::system::error_code wait_ec) {
            if (!wait_ec) accept();
          });
          return;
        }
        // Past a cap, or gone already: the socket closes here, unread.
        boost::system::error_code peer_ec;
        const tcp::endpoint peer = socket.remote_endpoint(peer_ec);
        std::optional<detail::ConnectionCaps::Slot> slot;
        if (!peer_ec) slot = caps.take(peer.address());
        if (slot) {
          detail::Stream stream = tls ? detail::Stream(detail::TlsSocket(std::move(socket), *tls))
                                      : detail::Stream(std::move(socket));
          auto c = std::make_shared<detail::Connection>(std::move(stream), std::move(*slot), router,
                                                        options, registry, blocking);
          if (registry.add(c)) c->start();  // else stopping: `c` dies here and closes the socket
        }
        accept();
      });
}

core::Status Server::State::load_tls() {
  const std::string& cert = options.tls_cert_file;
  const std::string& key = options.tls_key_file;
  if (cert.empty() && key.empty()) return core::Status();
  if (cert.empty() || key.empty()) {
    return core::Status::invalid_argument("TLS needs both a certificate and a private key");
  }
  // TLS 1.2 and 1.3 only; OpenSSL's default ciphers for them.
  tls.emplace(asio::ssl::context::tls_server);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  auto fail = [&](const std::string& what) {
    tls.reset();
    return core::Status::invalid_argument(what + ": " + ec.message());
  };
  if (tls->use_certificate_chain_file(cert, ec); ec) {
    return fail("cannot read the TLS certificate " + cert);
  }
  if (tls->use_private_key_file(key, asio::ssl::context::pem, ec); ec) {
    return fail("cannot read the TLS private key " + key);
  }
  // A key that does not belong to the certificate fails here, not in every handshake.
  if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
    ec = boost::system::error_code(static_cast<int>(::ERR_get_error()),
                                   asio::error::get_ssl_category());
    return fail("the TLS private key " + key + " does not match the certificate " + cert);
  }
  return core::Status();
}

Server::Server(ServerOptions options, Router router)
    : state_(std::make_unique<State>(std::move(options), std::move(router))) {}

Server::~Server() { stop(); }

core::Status Server::start() {
  State& s = *state_;
  s.started = true;
  if (s.options.clock == nullptr) return core::Status::invalid_argument("the server has no clock");
  if (core::Status tls = s.load_tls(); !tls.ok()) return tls;
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(s.options.address, ec);
  if (ec) return core::Status::invalid_argument("not an IP address: " + s.options.address);
  tcp::endpoint endpoint(address, s.options.port);
  auto fail = [&](const char* what) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return core::Status::unavailable(std::string(what) + " " + s.options.address + ":" +
                                     std::to_string(s.options.port) + ": " + ec.message());
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open socket for");
  s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("cannot set options for");
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  s.port = s.acceptor.local_endpoint(ec).port();
  s.accept();

  {
    core::MutexLock lock(s.mu);
    s.running = static_cast<unsigned>(s.loops.size());
  }
  for (auto& loop : s.loops) {
    s.keep_running.push_back(asio::make_work_guard(*loop));
    s.threads.emplace_back([&s, &loop = *loop] {
      try {
        loop.run();
      } catch (const std::exception& e) {
        spdlog::error("io thread stopped by exception: {}", e.what());
      }
      core::MutexLock lock(s.mu);
      --s.running;
      s.threads_done.notify_all();
    });
  }
  return core::Status();
}

uint16_t Server::port() const { return state_->port; }

void Server::stop() {
  State& s = *state_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  asio::post(s.acceptor.get_executor(), [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    s.retry_timer.cancel();
  });
  s.registry.close_all();
  // With the acceptor closed and every connection closing, each run() returns once the last
  // request in flight on its loop is answered; every such step is itself bounded by a timeout.
  for (State::WorkGuard& guard : s.keep_running) guard.reset();
  {
    core::MutexLock lock(s.mu);
    if (!s.threads_done.wait_for(s.mu, s.options.drain_timeout,
                                 [&s]() REQUIRES(s.mu) { return s.running == 0; })) {
      spdlog::warn("HTTP server: requests still in flight after drain timeout; abandoning them");
      for (auto& loop : s.loops) loop->stop();
    }
  }
  for (std::thread& t : s.threads) t.join();
  s.threads.clear();
  s.blocking.join();  // blocking work still running is waited for: it cannot be cut short
}

}  // namespace gaia::http
