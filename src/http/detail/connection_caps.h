#pragma once
// ConnectionCaps: counts the open connections of one Server, in all and per client address,
// and refuses one past either cap (ServerOptions::max_connections and max_connections_per_ip),
// so that no client, and no crowd, can take every file descriptor of the process. A Slot is one
// counted connection: it travels with the socket, into an upgraded (WebSocket) connection too,
// and frees its place when destroyed.
//
// Threads: any. The caps must outlive every Slot they hand out.

#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <optional>
#include <unordered_map>

#include "core/mutex.h"
#include "http/server.h"

namespace gaia::http::detail {

// The key a client is counted under: an IPv4 address (or an IPv4-mapped IPv6 one) as itself,
// an IPv6 address by its /64, since one host commonly holds a whole /64.
using AddressKey = std::array<unsigned char, 16>;
AddressKey address_key(const boost::asio::ip::address& address);

class ConnectionCaps {
 public:
  class Slot {
   public:
    Slot() = default;  // counts nothing
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    ~Slot();

   private:
    friend class ConnectionCaps;
    Slot(ConnectionCaps* caps, const AddressKey& key) : caps_(caps), key_(key) {}
    ConnectionCaps* caps_ = nullptr;  // null once moved from
    AddressKey key_{};
  };

  // `observer` may be null; it must outlive the caps.
  ConnectionCaps(std::size_t max_total, std::size_t max_per_address, ConnectionObserver* observer);

  // A slot for a connection from `peer`, or nullopt when either cap is reached (the observer
  // is told which; nothing is counted).
  std::optional<Slot> take(const boost::asio::ip::address& peer);

 private:
  struct KeyHash {
    std::size_t operator()(const AddressKey& k) const;
  };
  void release(const AddressKey& key);

  const std::size_t max_total_;
  const std::size_t max_per_address_;
  ConnectionObserver* const observer_;
  core::Mutex mu_;
  std::size_t open_ GUARDED_BY(mu_) = 0;
  std::unordered_map<AddressKey, std::size_t, KeyHash> per_address_ GUARDED_BY(mu_);
};

}  // namespace gaia::http::detail
