#pragma once
// RuleBook: the rules in force, the built-in defaults and the ones admins added (kept in the
// store), compiled into the limiter's RuleSet. Adding rules validates the whole set first,
// stores them, then swaps the limiter's rules: the next check uses them, no restart.
// Thread-safe.

#include <memory>
#include <mutex>
#include <vector>

#include "core/limiter.h"
#include "core/rule_set.h"
#include "store/store.h"

namespace gaia::http {

class RuleBook {
 public:
  // Compiles the defaults with every stored rule and gives the result to `limiter`.
  static core::Result<std::unique_ptr<RuleBook>> load(store::Store& store, core::Limiter& limiter,
                                                      core::RuleSetOptions options);

  // Checks that `rules` compile together with those in force; the error names the field of
  // the first rule at fault, as "rules[0].limits[1].window_ms: ...".
  core::Status validate(const std::vector<core::Rule>& rules) const;
  // Stores `rules` and puts them in force.
  core::Status add(std::vector<core::Rule> rules, int64_t now_ms);

 private:
  RuleBook(store::Store& store, core::Limiter& limiter, core::RuleSetOptions options)
      : store_(store), limiter_(limiter), options_(std::move(options)) {}
  core::Result<std::shared_ptr<const core::RuleSet>> compile_with(
      const std::vector<core::Rule>& more) const;

  store::Store& store_;
  core::Limiter& limiter_;
  const core::RuleSetOptions options_;
  mutable std::mutex mu_;
  std::vector<core::Rule> rules_;  // defaults, then stored rules
};

}  // namespace gaia::http
