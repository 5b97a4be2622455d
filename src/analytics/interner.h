#pragma once
// Interner: gives each distinct string (a command type, a limit name) a small integer id, so
// that hot-path keys are plain integers. Few distinct strings exist (types and limits are
// configuration), so ids are never freed.
//
// Threads: any thread; lookups of known strings take a shared lock and do not allocate.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"

namespace gaia::analytics {

// Hashes a std::string and a std::string_view alike: a lookup by view copies nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Interner {
 public:
  Interner();

  // The id of `s`, adding it the first time. An id never changes, so each thread remembers
  // the ids it was given and asks again only for a string new to it: threads recording
  // events together take no lock.
  uint32_t id(std::string_view s);
  // The string of `id`. REQUIRES: id came from id().
  std::string name(uint32_t id) const;

 private:
  uint32_t id_locked(std::string_view s);

  const uint64_t serial_;  // unique in the process: what a thread remembers is this one's
  mutable core::SharedMutex mu_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> ids_ GUARDED_BY(mu_);
  std::vector<std::string> names_ GUARDED_BY(mu_);
};

}  // namespace gaia::analytics
