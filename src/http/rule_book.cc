#include "http/rule_book.h"

#include <boost/json.hpp>

#include "http/rule_json.h"

namespace gaia::http {

core::Result<std::unique_ptr<RuleBook>> RuleBook::load(store::Store& store, core::Limiter& limiter,
                                                       core::RuleSetOptions options) {
  std::unique_ptr<RuleBook> book(new RuleBook(store, limiter, std::move(options)));
  book->rules_ = core::default_rules();
  auto stored = store.list_rules();
  if (!stored.ok()) return stored.status();
  for (const store::StoredRule& s : stored.value()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(s.body, ec);
    auto rule = ec ? std::variant<core::Rule, FieldError>(FieldError{"body", ec.message()})
                   : rule_from_json(v);
    if (auto* e = std::get_if<FieldError>(&rule)) {
      return core::Status::invalid_argument("stored rule " + std::to_string(s.id) + ": " +
                                            e->field + ": " + e->message);
    }
    core::Rule& r = std::get<core::Rule>(rule);
    r.id = s.id;
    book->rules_.push_back(std::move(r));
  }
  auto set = book->compile_with({});
  if (!set.ok()) return set.status();
  limiter.set_rules(set.value());
  return book;
}

core::Result<std::shared_ptr<const core::RuleSet>> RuleBook::compile_with(
    const std::vector<core::Rule>& more) const {
  std::vector<core::Rule> all = rules_;
  all.insert(all.end(), more.begin(), more.end());
  return core::RuleSet::compile(std::move(all), options_);
}

core::Status RuleBook::validate(const std::vector<core::Rule>& rules) const {
  // Alone first, so an error names the new rule's own index.
  if (auto alone = core::RuleSet::compile(rules, options_); !alone.ok()) return alone.status();
  std::lock_guard lock(mu_);
  auto together = compile_with(rules);
  return together.ok() ? core::Status() : together.status();
}

core::Status RuleBook::add(std::vector<core::Rule> rules, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto set = compile_with(rules);
  if (!set.ok()) return set.status();
  std::vector<std::string> bodies;
  for (const core::Rule& r : rules) bodies.push_back(boost::json::serialize(rule_to_json(r)));
  auto ids = store_.add_rules(bodies, now_ms);
  if (!ids.ok()) return ids.status();
  for (size_t i = 0; i < rules.size(); ++i) rules[i].id = ids.value()[i];
  rules_.insert(rules_.end(), rules.begin(), rules.end());
  set = compile_with({});
  if (!set.ok()) return set.status();
  limiter_.set_rules(set.value());
  return {};
}

}  // namespace gaia::http
