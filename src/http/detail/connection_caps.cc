#include "http/detail/connection_caps.h"

#include <string_view>
#include <utility>

namespace gaia::http::detail {

AddressKey address_key(const boost::asio::ip::address& address) {
  if (address.is_v4())
    return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()).to_bytes();
  boost::asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return v6.to_bytes();
  AddressKey key = v6.to_bytes();
  for (std::size_t i = 8; i < key.size(); ++i) key[i] = 0;  // the /64 prefix only
  return key;
}

std::size_t ConnectionCaps::KeyHash::operator()(const AddressKey& k) const {
  return std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(k.data()), k.size()));
}

ConnectionCaps::Slot::Slot(Slot&& other) noexcept
    : caps_(std::exchange(other.caps_, nullptr)), key_(other.key_) {}

ConnectionCaps::Slot& ConnectionCaps::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (caps_ != nullptr) caps_->release(key_);
    caps_ = std::exchange(other.caps_, nullptr);
    key_ = other.key_;
  }
  return *this;
}

ConnectionCaps::Slot::~Slot() {
  if (caps_ != nullptr) caps_->release(key_);
}

ConnectionCaps::ConnectionCaps(std::size_t max_total, std::size_t max_per_address,
                               ConnectionObserver* observer)
    : max_total_(max_total), max_per_address_(max_per_address), observer_(observer) {}

std::optional<ConnectionCaps::Slot> ConnectionCaps::take(const boost::asio::ip::address& peer) {
  const AddressKey key = address_key(peer);
  const char* refused = nullptr;
  {
    core::MutexLock lock(mu_);
    auto it = per_address_.find(key);
    const std::size_t from_peer = it == per_address_.end() ? 0 : it->second;
    if (open_ >= max_total_) {
      refused = "total";
    } else if (from_peer >= max_per_address_) {
      refused = "per_ip";
    } else {
      ++open_;
      ++per_address_[key];
    }
  }
  // Told outside the lock: the observer may take locks of its own.
  if (refused != nullptr) {
    if (observer_ != nullptr) observer_->refused(refused);
    return std::nullopt;
  }
  if (observer_ != nullptr) observer_->opened();
  return Slot(this, key);
}

void ConnectionCaps::release(const AddressKey& key) {
  {
    core::MutexLock lock(mu_);
    --open_;
    auto it = per_address_.find(key);
    if (--it->second == 0) per_address_.erase(it);  // the map holds only clients connected now
  }
  if (observer_ != nullptr) observer_->closed();
}

}  // namespace gaia::http::detail
