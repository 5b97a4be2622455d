#pragma once
// Upgrade: a connection handed over by an upgrade route (see UpgradeHandler in router.h): its
// stream (TCP or TLS), its place under the connection caps, any bytes read past the request, and
// the request itself. The taker owns the socket from then on, keeps `slot` as long as the socket,
// and registers whatever serves it with `registry`, so that Server::stop() can close it too.
// Threads: handed to the taker on the connection's thread; the socket stays on that thread.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/detail/connection.h"

namespace gaia::http {

struct Upgrade {
  detail::Stream stream;
  detail::ConnectionCaps::Slot slot;
  boost::beast::flat_buffer buffer;
  boost::beast::http::request<boost::beast::http::string_body> request;
  // The Server's registry: outlives the io threads, hence every upgraded connection.
  detail::ConnectionRegistry& registry;
  // ServerOptions::drain_timeout of the server: how long a close may take at stop().
  std::chrono::milliseconds drain_timeout;
};

}  // namespace gaia::http
