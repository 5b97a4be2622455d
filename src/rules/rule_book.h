#pragma once
// RuleBook: the rules in force, the built-in defaults and the ones admins made (kept in the
// store), compiled into the limiter's RuleSet. Every change validates the whole set first,
// stores it, then swaps the limiter's rules: the next check uses them, no restart. A change
// that does not compile, or that the store refuses, changes nothing.
//
// The command types the rules compile under are the built-in ones and those admins add (kept
// in the store beside the rules); an added type works like a built-in one from the next
// check on. A removed type keeps its place in the list, retired: the limiter keys its counters
// by a type's index, so no other type may move.
//
// Built-in rules are read-only. An admin overrides one by making a rule for the same subject
// and command type: each built-in limit whose slot (kind, and period or window) that rule
// sets is left out of the set in force, the built-in's other limits stay. E.g. a global
// "shell" rule of 100 a day leaves the built-in 3,000 a week and 10,000 a month of "shell".
//
// Thread-safe: `change_mu_` serialises changes across the store writes they make; `mu_`
// guards the list and is held only to read it or to publish a change already stored, never
// across store I/O, so listing or validating rules never waits on the database. Checks take
// neither (they use the limiter's own copy).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/limiter.h"
#include "core/mutex.h"
#include "core/rule_set.h"
#include "store/rule_store.h"

namespace gaia::rules {

// A rule as the admin API lists it.
struct BookRule {
  core::Rule rule;
  bool builtin = false;
  bool overridden = false;    // builtin only: some of its limits are overridden
  int64_t updated_at_ms = 0;  // stored rules only
};

// A command type as the admin API lists it: the built-in ones, then those admins added.
struct BookType {
  std::string name;
  std::string description;
  bool builtin = false;
  int64_t updated_at_ms = 0;  // added ones only
};

class RuleBook {
 public:
  // Compiles the defaults with every stored rule and gives the result to `limiter`.
  // `store` and `limiter` must outlive the book.
  static core::Result<std::unique_ptr<RuleBook>> load(store::RuleStore& store,
                                                      core::Limiter& limiter,
                                                      core::RuleSetOptions options);

  // Checks that `rules` compile together with those in force; the error names the field of
  // the first rule at fault, as "rules[0].limits[1].window_ms: ...".
  core::Status validate(const std::vector<core::Rule>& rules) const;
  // Stores `rules` and puts them in force.
  core::Status add(std::vector<core::Rule> rules, int64_t now_ms);

  // Reads the stored rules again and puts them in force (another node changed them); on
  // failure the rules in force stay.
  core::Status reload();

  // Built-in rules first (in their order), then stored ones by id.
  std::vector<BookRule> list() const;
  // The stored rule `id`, if there is one (built-in rules are not found by id).
  std::optional<BookRule> find(uint64_t id) const;
  // True if `name` names a built-in rule ("default-shell", ...).
  bool is_builtin(std::string_view name) const;

  // Each returns the rule as stored (with its id). Errors: kInvalidArgument "field: reason",
  // the field relative to the rule (e.g. "limits[1].window_ms: must be at least 1");
  // kNotFound for an id that is not a stored rule; else the store's error.
  core::Result<core::Rule> create(core::Rule rule, int64_t now_ms);
  core::Result<core::Rule> update(uint64_t id, core::Rule rule, int64_t now_ms);
  // Returns the rule that was removed.
  core::Result<core::Rule> remove(uint64_t id);

  // The live command types: built-in ones first, then added ones in the order first added.
  std::vector<BookType> types() const;
  // Adds command type `name` (or brings back one removed earlier) with `tier_rules`, rules for
  // it whose subjects are tiers: its default limits. Checks names and rules first, so that a
  // refusal changes nothing. Errors: kInvalidArgument "field: reason" (name, description, or
  // the rule's field as create() names it, prefixed "rules[i]."); the store's error.
  core::Result<BookType> add_type(std::string name, std::string description,
                                  std::vector<core::Rule> tier_rules, int64_t now_ms);
  // Retires command type `name` with every stored rule that names it (returned): no check,
  // exec or rule may use it afterwards. kNotFound for no such live type; kInvalidArgument for
  // a built-in one.
  core::Result<std::vector<core::Rule>> remove_type(std::string_view name, int64_t now_ms);

  // The rules whose subject is user `user_id` (its overrides), by id.
  std::vector<core::Rule> user_rules(uint64_t user_id) const;
  // Replaces the user's overrides with `rules` (each must have that user as subject) in one
  // store transaction; returns the new ones. Errors as create(), the field relative to the
  // rule's index in `rules` ("rules[1].limits[0]: ...").
  core::Result<std::vector<core::Rule>> replace_user_rules(uint64_t user_id,
                                                           std::vector<core::Rule> rules,
                                                           int64_t now_ms);

 private:
  struct Stored {
    core::Rule rule;
    int64_t updated_at_ms = 0;
  };

  RuleBook(store::RuleStore& store, core::Limiter& limiter, core::RuleSetOptions options)
      : store_(store),
        limiter_(limiter),
        builtin_types_(options.command_types),
        options_(std::make_shared<core::RuleSetOptions>(std::move(options))) {}
  // The options rules compile under now: the built-in types and the added ones.
  std::shared_ptr<const core::RuleSetOptions> options() const EXCLUDES(mu_);
  // `options` with the types of `added` (by id; retired ones keep their place) after the
  // built-in ones.
  core::RuleSetOptions options_with(const std::vector<store::StoredCommandType>& added) const;
  // The set in force for `stored`: the built-ins less the limits `stored` overrides, then
  // `stored` in order (so a conflict is reported at the later rule).
  std::vector<core::Rule> in_force(const std::vector<core::Rule>& stored) const;
  core::Result<std::shared_ptr<const core::RuleSet>> compile(
      const std::vector<core::Rule>& stored, const core::RuleSetOptions& options) const;
  // The stored rules other than those with ids in `skip`.
  static std::vector<core::Rule> rules_except(const std::vector<Stored>& stored,
                                              const std::vector<uint64_t>& skip);
  std::vector<Stored> snapshot() const EXCLUDES(mu_);
  // Validates `candidates` alone, then with `others` (candidates last); errors name the
  // field relative to the candidate at fault, prefixed "rules[i]." when `indexed`.
  core::Status check(const std::vector<core::Rule>& others,
                     const std::vector<core::Rule>& candidates, bool indexed,
                     const core::RuleSetOptions& options) const;
  // Reads the stored rules and publishes them.
  core::Status read_store() REQUIRES(change_mu_) EXCLUDES(mu_);
  // Compiles `next` (already stored), then makes it stored_ and the limiter's set.
  core::Status publish(std::vector<Stored> next) REQUIRES(change_mu_) EXCLUDES(mu_);
  // The same with `types` (already stored) as the added command types.
  core::Status publish(std::vector<Stored> next, std::vector<store::StoredCommandType> types)
      REQUIRES(change_mu_) EXCLUDES(mu_);

  store::RuleStore& store_;
  core::Limiter& limiter_;
  const std::vector<core::Rule> builtins_ = core::default_rules();
  const std::vector<core::CommandType> builtin_types_;
  core::Mutex change_mu_ ACQUIRED_BEFORE(mu_);
  mutable core::Mutex mu_;
  std::vector<Stored> stored_ GUARDED_BY(mu_);                   // by id
  std::vector<store::StoredCommandType> types_ GUARDED_BY(mu_);  // added ones, by id
  std::shared_ptr<const core::RuleSetOptions> options_ GUARDED_BY(mu_);
};

}  // namespace gaia::rules
