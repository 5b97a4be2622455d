#include "analytics/interner.h"

#include "core/process_serial.h"

namespace gaia::analytics {

namespace {

// What one thread remembers of the interner it used last.
struct Remembered {
  uint64_t serial = 0;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> ids;
};

}  // namespace

Interner::Interner() : serial_(core::next_process_serial()) {}

uint32_t Interner::id(std::string_view s) {
  thread_local Remembered remembered;
  if (remembered.serial != serial_) {
    remembered.serial = serial_;
    remembered.ids.clear();
  }
  if (auto it = remembered.ids.find(s); it != remembered.ids.end()) return it->second;
  const uint32_t id = id_locked(s);
  remembered.ids.emplace(std::string(s), id);
  return id;
}

uint32_t Interner::id_locked(std::string_view s) {
  {
    core::ReaderLock lock(mu_);
    if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  }
  core::WriterLock lock(mu_);
  auto [it, added] = ids_.try_emplace(std::string(s), static_cast<uint32_t>(names_.size()));
  if (added) names_.emplace_back(s);
  return it->second;
}

std::string Interner::name(uint32_t id) const {
  core::ReaderLock lock(mu_);
  return names_[id];
}

}  // namespace gaia::analytics
