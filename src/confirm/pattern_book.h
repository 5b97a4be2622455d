#pragma once
// PatternBook: the confirmation patterns in force, kept in the store and compiled into one
// immutable confirm::PatternSet. A change is validated by compiling the whole new set, then
// written to the store, then published by swapping the shared pointer: requests already
// deciding keep the set they started with, the next one sees the change, and a change the
// store refused is not published.
//
// On a database that never had patterns, load() seeds it with confirm::default_patterns().
//
// Threads: current() from any thread (a short lock to copy the pointer); changes are
// serialised among themselves.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confirm/pattern.h"
#include "confirm/policy.h"
#include "core/mutex.h"
#include "core/status.h"
#include "store/pattern_store.h"

namespace gaia::confirm {

class PatternBook {
 public:
  // Reads (seeding on first use) and compiles the stored patterns. A stored pattern that no
  // longer compiles fails the load, naming it. `store` must outlive the book.
  static core::Result<std::unique_ptr<PatternBook>> load(store::PatternStore& store,
                                                         int64_t now_ms);

  std::shared_ptr<const confirm::PatternSet> current() const;
  // Every pattern, in decision order.
  std::vector<confirm::PatternSpec> list() const;
  std::optional<confirm::PatternSpec> find(std::string_view id) const;

  // Adds a pattern. kInvalidArgument naming the field ("pattern: invalid regex ...", or
  // "id: ... exists"); kUnavailable or kInternal when the store failed (nothing changed).
  core::Status create(confirm::PatternSpec spec, int64_t now_ms);
  // Replaces pattern `id` with `spec` (whose id must be `id`). kNotFound when absent.
  core::Status replace(std::string_view id, confirm::PatternSpec spec, int64_t now_ms);
  // kNotFound when absent.
  core::Status remove(std::string_view id);
  // Reads the stored patterns again and puts them in force (another node changed them); on
  // failure the patterns in force stay.
  core::Status reload();

 private:
  PatternBook(store::PatternStore& store, std::shared_ptr<const confirm::PatternSet> set)
      : store_(store), set_(std::move(set)) {}
  // Compiles `specs` into a set; errors name the pattern by id.
  static core::Result<std::shared_ptr<const confirm::PatternSet>> compile(
      std::vector<confirm::PatternSpec> specs);
  // Reads and compiles the stored patterns.
  static core::Result<std::shared_ptr<const confirm::PatternSet>> read_store(
      store::PatternStore& store);
  void publish(std::shared_ptr<const confirm::PatternSet> set);

  store::PatternStore& store_;
  core::Mutex change_mu_;  // one change at a time
  mutable core::Mutex set_mu_;
  std::shared_ptr<const confirm::PatternSet> set_ GUARDED_BY(set_mu_);
};

}  // namespace gaia::confirm
