#include "confirm/pattern_book.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "confirm/default_patterns.h"
#include "confirm/pattern_json.h"

namespace gaia::confirm {
namespace {

using core::Result;
using core::Status;

store::StoredPattern stored(const confirm::PatternSpec& spec, int64_t now_ms) {
  return {spec.id, boost::json::serialize(confirm::pattern_to_json(spec)), now_ms};
}

}  // namespace

Result<std::shared_ptr<const confirm::PatternSet>> PatternBook::compile(
    std::vector<confirm::PatternSpec> specs) {
  auto set = confirm::PatternSet::make(std::move(specs));
  if (!set.ok()) return set.status();
  return std::make_shared<const confirm::PatternSet>(std::move(set.value()));
}

Result<std::unique_ptr<PatternBook>> PatternBook::load(store::PatternStore& store, int64_t now_ms) {
  std::vector<store::StoredPattern> seed;
  for (const confirm::PatternSpec& spec : confirm::default_patterns()) {
    seed.push_back(stored(spec, now_ms));
  }
  if (auto seeded = store.seed_patterns(seed); !seeded.ok()) return seeded.status();
  auto set = read_store(store);
  if (!set.ok()) return set.status();
  return std::unique_ptr<PatternBook>(new PatternBook(store, std::move(set.value())));
}

Result<std::shared_ptr<const confirm::PatternSet>> PatternBook::read_store(
    store::PatternStore& store) {
  auto rows = store.list_patterns();
  if (!rows.ok()) return rows.status();
  std::vector<confirm::PatternSpec> specs;
  for (const store::StoredPattern& row : rows.value()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(row.body, ec);
    if (ec) return Status::internal("stored pattern " + row.id + ": not JSON: " + ec.message());
    auto spec = confirm::pattern_from_json(v);
    if (!spec.ok())
      return Status::internal("stored pattern " + row.id + ": " + spec.status().message());
    specs.push_back(std::move(spec.value()));
  }
  auto set = compile(std::move(specs));
  if (!set.ok()) return Status::internal("stored patterns: " + set.status().message());
  return set;
}

Status PatternBook::reload() {
  core::MutexLock lock(change_mu_);
  auto set = read_store(store_);
  if (!set.ok()) return set.status();
  publish(std::move(set.value()));
  return {};
}

std::shared_ptr<const confirm::PatternSet> PatternBook::current() const {
  core::MutexLock lock(set_mu_);
  return set_;
}

void PatternBook::publish(std::shared_ptr<const confirm::PatternSet> set) {
  core::MutexLock lock(set_mu_);
  set_ = std::move(set);
}

std::vector<confirm::PatternSpec> PatternBook::list() const {
  std::vector<confirm::PatternSpec> specs;
  for (const confirm::Pattern& p : current()->patterns()) specs.push_back(p.spec());
  return specs;
}

std::optional<confirm::PatternSpec> PatternBook::find(std::string_view id) const {
  for (const confirm::Pattern& p : current()->patterns()) {
    if (p.spec().id == id) return p.spec();
  }
  return std::nullopt;
}

Status PatternBook::create(confirm::PatternSpec spec, int64_t now_ms) {
  core::MutexLock lock(change_mu_);
  std::vector<confirm::PatternSpec> specs = list();
  for (const confirm::PatternSpec& s : specs) {
    if (s.id == spec.id) return Status::invalid_argument("id: pattern " + spec.id + " exists");
  }
  if (auto p = confirm::Pattern::compile(spec); !p.ok()) return p.status();
  const store::StoredPattern row = stored(spec, now_ms);
  specs.push_back(std::move(spec));
  auto set = compile(std::move(specs));
  if (!set.ok()) return set.status();
  if (Status s = store_.put_pattern(row); !s.ok()) return s;
  publish(std::move(set.value()));
  return {};
}

Status PatternBook::replace(std::string_view id, confirm::PatternSpec spec, int64_t now_ms) {
  core::MutexLock lock(change_mu_);
  if (spec.id != id) return Status::invalid_argument("id: must be the id in the path");
  std::vector<confirm::PatternSpec> specs = list();
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const confirm::PatternSpec& s) { return s.id == id; });
  if (it == specs.end()) return Status::not_found("no pattern " + std::string(id));
  // Validate the pattern on its own first, so the error names its field.
  if (auto p = confirm::Pattern::compile(spec); !p.ok()) return p.status();
  const store::StoredPattern row = stored(spec, now_ms);
  *it = std::move(spec);
  auto set = compile(std::move(specs));
  if (!set.ok()) return set.status();
  if (Status s = store_.put_pattern(row); !s.ok()) return s;
  publish(std::move(set.value()));
  return {};
}

Status PatternBook::remove(std::string_view id) {
  core::MutexLock lock(change_mu_);
  std::vector<confirm::PatternSpec> specs = list();
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const confirm::PatternSpec& s) { return s.id == id; });
  if (it == specs.end()) return Status::not_found("no pattern " + std::string(id));
  specs.erase(it);
  auto set = compile(std::move(specs));
  if (!set.ok()) return set.status();
  if (Status s = store_.delete_pattern(id); !s.ok()) return s;
  publish(std::move(set.value()));
  return {};
}

}  // namespace gaia::confirm
