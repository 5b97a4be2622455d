#include "analytics/interner.h"

namespace gaia::analytics {

uint32_t Interner::id(std::string_view s) {
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
