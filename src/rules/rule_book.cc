#include "rules/rule_book.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "rules/rule_json.h"

namespace gaia::rules {
namespace {

bool same_subject(const core::Subject& a, const core::Subject& b) {
  return a.kind == b.kind && a.tier == b.tier && a.id == b.id;
}

bool same_slot(const core::LimitSpec& a, const core::LimitSpec& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == core::LimitKind::kCalendar) return a.period == b.period;
  if (a.kind == core::LimitKind::kRate) return a.window == b.window;
  return true;
}

// True if an enforced rule of `stored` for the subject and type of `builtin` sets `limit`'s slot.
bool overridden(const core::Rule& builtin, const core::LimitSpec& limit,
                const std::vector<core::Rule>& stored) {
  return std::any_of(stored.begin(), stored.end(), [&](const core::Rule& r) {
    return r.enforcement == core::Enforcement::kEnforce &&
           same_subject(r.subject, builtin.subject) && r.command_type == builtin.command_type &&
           std::any_of(r.limits.begin(), r.limits.end(),
                       [&](const core::LimitSpec& l) { return same_slot(l, limit); });
  });
}

// RuleSet::compile's "rules[K].rest: reason" about the rule at index K of a list whose
// candidates start at `first`, renamed for the candidate: "rules[K - first].rest" when
// `indexed`, else "rest" (a leading '.' dropped).
core::Status renamed(const core::Status& s, size_t first, bool indexed) {
  const std::string& m = s.message();
  constexpr std::string_view kPrefix = "rules[";
  if (m.compare(0, kPrefix.size(), kPrefix) != 0) return s;
  size_t k = 0;
  const char* begin = m.data() + kPrefix.size();
  auto [end, ec] = std::from_chars(begin, m.data() + m.size(), k);
  if (ec != std::errc() || *end != ']' || k < first) return s;
  std::string rest(end + 1);
  if (indexed)
    return core::Status::invalid_argument("rules[" + std::to_string(k - first) + "]" + rest);
  if (!rest.empty() && rest[0] == '.') rest.erase(0, 1);
  if (rest.compare(0, 2, ": ") == 0) rest = "rule" + rest;
  return core::Status::invalid_argument(rest);
}

std::string body_of(const core::Rule& rule) { return boost::json::serialize(rule_to_json(rule)); }

constexpr size_t kMaxTypeName = 32;
constexpr size_t kMaxTypeDescription = 200;

// A type name as limit names and Redis keys carry it: a lower-case letter, then lower-case
// letters, digits, '-' and '_'; never "any", the name of limits over every type.
bool valid_type_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTypeName || name == "any") return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool names_type(const core::Rule& rule, std::string_view type) {
  return rule.command_type && *rule.command_type == type;
}

}  // namespace

core::Result<std::unique_ptr<RuleBook>> RuleBook::load(store::RuleStore& store,
                                                       core::Limiter& limiter,
                                                       core::RuleSetOptions options) {
  std::unique_ptr<RuleBook> book(new RuleBook(store, limiter, std::move(options)));
  core::MutexLock changing(book->change_mu_);  // no other thread has the book yet
  if (core::Status s = book->read_store(); !s.ok()) return s;
  return book;
}

core::Status RuleBook::reload() {
  core::MutexLock changing(change_mu_);
  return read_store();
}

std::shared_ptr<const core::RuleSetOptions> RuleBook::options() const {
  core::MutexLock lock(mu_);
  return options_;
}

core::RuleSetOptions RuleBook::options_with(
    const std::vector<store::StoredCommandType>& added) const {
  core::RuleSetOptions o = *options();
  o.command_types = builtin_types_;
  for (const store::StoredCommandType& t : added) {
    o.command_types.push_back({.name = t.name, .retired = t.retired});
  }
  return o;
}

core::Status RuleBook::read_store() {
  auto types = store_.list_command_types();
  if (!types.ok()) return types.status();
  auto stored = store_.list_rules();
  if (!stored.ok()) return stored.status();
  std::vector<Stored> rules;
  for (const store::StoredRule& s : stored.value()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(s.body, ec);
    auto rule =
        ec ? std::variant<core::Rule, core::FieldError>(core::FieldError{"body", ec.message()})
           : rule_from_json(v);
    if (auto* e = std::get_if<core::FieldError>(&rule)) {
      return core::Status::invalid_argument("stored rule " + std::to_string(s.id) + ": " +
                                            e->field + ": " + e->message);
    }
    core::Rule& r = std::get<core::Rule>(rule);
    r.id = s.id;
    rules.push_back({std::move(r), s.updated_at_ms});
  }
  return publish(std::move(rules), std::move(types.value()));
}

std::vector<core::Rule> RuleBook::in_force(const std::vector<core::Rule>& stored) const {
  std::vector<core::Rule> all;
  all.reserve(builtins_.size() + stored.size());
  for (const core::Rule& b : builtins_) {
    core::Rule kept = b;
    std::erase_if(kept.limits, [&](const core::LimitSpec& l) { return overridden(b, l, stored); });
    if (!kept.limits.empty()) all.push_back(std::move(kept));
  }
  all.insert(all.end(), stored.begin(), stored.end());
  return all;
}

core::Result<std::shared_ptr<const core::RuleSet>> RuleBook::compile(
    const std::vector<core::Rule>& stored, const core::RuleSetOptions& options) const {
  return core::RuleSet::compile(in_force(stored), options);
}

std::vector<core::Rule> RuleBook::rules_except(const std::vector<Stored>& stored,
                                               const std::vector<uint64_t>& skip) {
  std::vector<core::Rule> rules;
  for (const Stored& s : stored) {
    if (std::find(skip.begin(), skip.end(), s.rule.id) == skip.end()) rules.push_back(s.rule);
  }
  return rules;
}

std::vector<RuleBook::Stored> RuleBook::snapshot() const {
  core::MutexLock lock(mu_);
  return stored_;
}

core::Status RuleBook::check(const std::vector<core::Rule>& others,
                             const std::vector<core::Rule>& candidates, bool indexed,
                             const core::RuleSetOptions& options) const {
  // Alone first, so an error names the candidate's own fields.
  if (auto alone = core::RuleSet::compile(candidates, options); !alone.ok()) {
    return renamed(alone.status(), 0, indexed);
  }
  std::vector<core::Rule> stored = others;
  stored.insert(stored.end(), candidates.begin(), candidates.end());
  std::vector<core::Rule> all = in_force(stored);
  if (auto together = core::RuleSet::compile(all, options); !together.ok()) {
    return renamed(together.status(), all.size() - candidates.size(), indexed);
  }
  return {};
}

core::Status RuleBook::publish(std::vector<Stored> next) {
  std::vector<store::StoredCommandType> types;
  {
    core::MutexLock lock(mu_);
    types = types_;
  }
  return publish(std::move(next), std::move(types));
}

core::Status RuleBook::publish(std::vector<Stored> next,
                               std::vector<store::StoredCommandType> types) {
  auto options = std::make_shared<const core::RuleSetOptions>(options_with(types));
  auto set = compile(rules_except(next, {}), *options);
  if (!set.ok()) return set.status();
  core::MutexLock lock(mu_);
  stored_ = std::move(next);
  types_ = std::move(types);
  options_ = std::move(options);
  limiter_.set_rules(set.value());
  return {};
}

core::Status RuleBook::validate(const std::vector<core::Rule>& rules) const {
  const std::shared_ptr<const core::RuleSetOptions> options = this->options();
  if (auto alone = core::RuleSet::compile(rules, *options); !alone.ok()) return alone.status();
  std::vector<core::Rule> stored = rules_except(snapshot(), {});
  stored.insert(stored.end(), rules.begin(), rules.end());
  auto together = compile(stored, *options);
  return together.ok() ? core::Status() : together.status();
}

core::Status RuleBook::add(std::vector<core::Rule> rules, int64_t now_ms) {
  core::MutexLock changing(change_mu_);
  std::vector<Stored> next = snapshot();
  std::vector<core::Rule> stored = rules_except(next, {});
  stored.insert(stored.end(), rules.begin(), rules.end());
  if (auto set = compile(stored, *options()); !set.ok()) return set.status();
  std::vector<std::string> bodies;
  for (const core::Rule& r : rules) bodies.push_back(body_of(r));
  auto ids = store_.add_rules(bodies, now_ms);
  if (!ids.ok()) return ids.status();
  for (size_t i = 0; i < rules.size(); ++i) {
    rules[i].id = ids.value()[i];
    next.push_back({std::move(rules[i]), now_ms});
  }
  return publish(std::move(next));
}

std::vector<BookRule> RuleBook::list() const {
  const std::vector<Stored> all = snapshot();
  std::vector<core::Rule> stored = rules_except(all, {});
  std::vector<BookRule> out;
  for (const core::Rule& b : builtins_) {
    bool over = std::any_of(b.limits.begin(), b.limits.end(),
                            [&](const core::LimitSpec& l) { return overridden(b, l, stored); });
    out.push_back({b, true, over, 0});
  }
  for (const Stored& s : all) out.push_back({s.rule, false, false, s.updated_at_ms});
  return out;
}

std::optional<BookRule> RuleBook::find(uint64_t id) const {
  core::MutexLock lock(mu_);
  for (const Stored& s : stored_) {
    if (s.rule.id == id) return BookRule{s.rule, false, false, s.updated_at_ms};
  }
  return std::nullopt;
}

bool RuleBook::is_builtin(std::string_view name) const {
  return std::any_of(builtins_.begin(), builtins_.end(),
                     [&](const core::Rule& b) { return b.name == name; });
}

core::Result<core::Rule> RuleBook::create(core::Rule rule, int64_t now_ms) {
  core::MutexLock changing(change_mu_);
  std::vector<Stored> next = snapshot();
  if (core::Status s = check(rules_except(next, {}), {rule}, false, *options()); !s.ok()) {
    return s;
  }
  auto ids = store_.add_rules({body_of(rule)}, now_ms);
  if (!ids.ok()) return ids.status();
  rule.id = ids.value()[0];
  next.push_back({rule, now_ms});
  if (core::Status s = publish(std::move(next)); !s.ok()) return s;
  return rule;
}

core::Result<core::Rule> RuleBook::update(uint64_t id, core::Rule rule, int64_t now_ms) {
  core::MutexLock changing(change_mu_);
  std::vector<Stored> next = snapshot();
  auto it =
      std::find_if(next.begin(), next.end(), [&](const Stored& s) { return s.rule.id == id; });
  if (it == next.end()) return core::Status::not_found("no rule " + std::to_string(id));
  rule.id = id;
  if (core::Status s = check(rules_except(next, {id}), {rule}, false, *options()); !s.ok()) {
    return s;
  }
  if (core::Status s = store_.update_rule(id, body_of(rule), now_ms); !s.ok()) return s;
  *it = {rule, now_ms};
  if (core::Status s = publish(std::move(next)); !s.ok()) return s;
  return rule;
}

core::Result<core::Rule> RuleBook::remove(uint64_t id) {
  core::MutexLock changing(change_mu_);
  std::vector<Stored> next = snapshot();
  auto it =
      std::find_if(next.begin(), next.end(), [&](const Stored& s) { return s.rule.id == id; });
  if (it == next.end()) return core::Status::not_found("no rule " + std::to_string(id));
  // Removing a rule can bring a built-in limit back; the rest compiled before, so does this.
  if (auto set = compile(rules_except(next, {id}), *options()); !set.ok()) return set.status();
  auto removed = store_.replace_rules({id}, {}, 0);
  if (!removed.ok()) return removed.status();
  core::Rule rule = std::move(it->rule);
  next.erase(it);
  if (core::Status s = publish(std::move(next)); !s.ok()) return s;
  return rule;
}

std::vector<BookType> RuleBook::types() const {
  std::vector<BookType> out;
  for (const core::CommandType& t : builtin_types_) out.push_back({t.name, "", true, 0});
  core::MutexLock lock(mu_);
  for (const store::StoredCommandType& t : types_) {
    if (!t.retired) out.push_back({t.name, t.description, false, t.updated_at_ms});
  }
  return out;
}

core::Result<BookType> RuleBook::add_type(std::string name, std::string description,
                                          std::vector<core::Rule> tier_rules, int64_t now_ms) {
  if (!valid_type_name(name)) {
    return core::Status::invalid_argument(
        "name: 1 to 32 of a-z 0-9 - _, starting with a letter, and not \"any\"");
  }
  if (description.size() > kMaxTypeDescription) {
    return core::Status::invalid_argument("description: at most 200 bytes");
  }
  for (const core::Rule& r : tier_rules) {
    if (r.subject.kind != core::SubjectKind::kTier || !names_type(r, name)) {
      return core::Status::invalid_argument("rules: each must be for a tier and type " + name);
    }
  }
  core::MutexLock changing(change_mu_);
  if (options()->command_types.size() >= core::kAnyType - 1) {
    return core::Status::invalid_argument("name: no room for another command type");
  }
  for (const core::CommandType& t : options()->command_types) {
    if (!t.retired && t.name == name) {
      return core::Status::invalid_argument("name: a command type named \"" + name + "\" exists");
    }
  }
  std::vector<store::StoredCommandType> types;
  {
    core::MutexLock lock(mu_);
    types = types_;
  }
  // As it will be stored: a new type goes last, a retired one comes back in its place.
  auto same = std::find_if(types.begin(), types.end(),
                           [&](const store::StoredCommandType& t) { return t.name == name; });
  if (same == types.end())
    same = types.insert(types.end(), store::StoredCommandType{0, name, "", false, 0});
  same->description = description;
  same->retired = false;
  same->updated_at_ms = now_ms;
  std::vector<Stored> next = snapshot();
  if (core::Status s = check(rules_except(next, {}), tier_rules, true, options_with(types));
      !s.ok()) {
    return s;
  }
  std::vector<std::string> bodies;
  for (const core::Rule& r : tier_rules) bodies.push_back(body_of(r));
  auto put = store_.put_command_type(name, description, bodies, now_ms);
  if (!put.ok()) return put.status();
  same->id = put->id;
  for (size_t i = 0; i < tier_rules.size(); ++i) {
    tier_rules[i].id = put->rule_ids[i];
    next.push_back({std::move(tier_rules[i]), now_ms});
  }
  if (core::Status s = publish(std::move(next), std::move(types)); !s.ok()) return s;
  return BookType{std::move(name), std::move(description), false, now_ms};
}

core::Result<std::vector<core::Rule>> RuleBook::remove_type(std::string_view name, int64_t now_ms) {
  for (const core::CommandType& t : builtin_types_) {
    if (t.name == name) {
      return core::Status::invalid_argument("name: built-in type \"" + std::string(name) +
                                            "\" cannot be removed");
    }
  }
  core::MutexLock changing(change_mu_);
  std::vector<store::StoredCommandType> types;
  {
    core::MutexLock lock(mu_);
    types = types_;
  }
  auto it = std::find_if(types.begin(), types.end(), [&](const store::StoredCommandType& t) {
    return !t.retired && t.name == name;
  });
  if (it == types.end()) {
    return core::Status::not_found("no command type named \"" + std::string(name) + "\"");
  }
  std::vector<Stored> next = snapshot();
  std::vector<uint64_t> naming;
  std::vector<core::Rule> removed;
  for (const Stored& s : next) {
    if (names_type(s.rule, name)) {
      naming.push_back(s.rule.id);
      removed.push_back(s.rule);
    }
  }
  // The rules go with it: a type retired under rules that name it would not compile again.
  if (core::Status s = store_.retire_command_type(name, naming, now_ms); !s.ok()) return s;
  std::erase_if(next, [&](const Stored& s) { return names_type(s.rule, name); });
  it->retired = true;
  it->updated_at_ms = now_ms;
  if (core::Status s = publish(std::move(next), std::move(types)); !s.ok()) return s;
  return removed;
}

std::vector<core::Rule> RuleBook::user_rules(uint64_t user_id) const {
  core::MutexLock lock(mu_);
  std::vector<core::Rule> rules;
  for (const Stored& s : stored_) {
    if (s.rule.subject.kind == core::SubjectKind::kUser && s.rule.subject.id == user_id) {
      rules.push_back(s.rule);
    }
  }
  return rules;
}

core::Result<std::vector<core::Rule>> RuleBook::replace_user_rules(uint64_t user_id,
                                                                   std::vector<core::Rule> rules,
                                                                   int64_t now_ms) {
  for (const core::Rule& r : rules) {
    if (r.subject.kind != core::SubjectKind::kUser || r.subject.id != user_id) {
      return core::Status::invalid_argument("subject: every rule must be for user " +
                                            std::to_string(user_id));
    }
  }
  core::MutexLock changing(change_mu_);
  std::vector<Stored> next = snapshot();
  std::vector<uint64_t> old;
  for (const Stored& s : next) {
    if (s.rule.subject.kind == core::SubjectKind::kUser && s.rule.subject.id == user_id) {
      old.push_back(s.rule.id);
    }
  }
  if (core::Status s = check(rules_except(next, old), rules, true, *options()); !s.ok()) return s;
  std::vector<std::string> bodies;
  for (const core::Rule& r : rules) bodies.push_back(body_of(r));
  auto ids = store_.replace_rules(old, bodies, now_ms);
  if (!ids.ok()) return ids.status();
  std::erase_if(next, [&](const Stored& s) {
    return std::find(old.begin(), old.end(), s.rule.id) != old.end();
  });
  for (size_t i = 0; i < rules.size(); ++i) {
    rules[i].id = ids.value()[i];
    next.push_back({rules[i], now_ms});
  }
  if (core::Status s = publish(std::move(next)); !s.ok()) return s;
  return rules;
}

}  // namespace gaia::rules
