// admin_bench: what the admin API's own work costs, on the paths gaia_server runs.
//   RuleChange/<stored rules>: one rule change through RuleBook as POST/DELETE
//     /api/admin/quotas/config make it (validate the whole set, write it to a SQLite store
//     with synchronous=FULL, compile, swap the limiter's rules), with that many rules
//     already stored. Each iteration creates one rule and removes it: two changes.
//   UsageListing/<users>: GET /api/admin/quotas/usage?limit=100 through the real router
//     and handler (the store's user list, then every user's quota status from the limiter,
//     folded into rows and paged), every user with usage on every type.
//   ResetUser/<active users>: Limiter::reset_user while that many users hold counters
//     (each user's shard holds about users/64 of them): how long the shard lock is held.
//
//   ./build/release/bench/admin_bench --benchmark_min_time=1

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "api/admin/usage_api.h"
#include "api/api_pools.h"
#include "metrics/registry.h"
#include "rules/rule_book.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace gaia;

class BenchClock : public core::Clock {
 public:
  core::MonoTime mono_now() const override { return core::MonoTime(std::chrono::hours(1)); }
  core::WallTime wall_now() const override {
    return core::WallTime(std::chrono::seconds(1767571200));
  }
};

class NullFeed : public http::LiveFeed {
 public:
  void publish(std::string_view, boost::json::object) override {}
};

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("gaia_admin_bench_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// The value of a Result the benchmark cannot do without.
template <class T>
T take(core::Result<T> r) {
  if (!r.ok()) std::abort();
  return std::move(r.value());
}

core::RuleSetOptions rule_options() {
  return {core::default_command_types(), core::Calendar::utc(), {}};
}

core::Rule user_rule(uint64_t user) {
  core::Rule r;
  r.subject = {core::SubjectKind::kUser, core::Tier::kDefault, user};
  r.command_type = "shell";
  r.limits = {core::LimitSpec::rate(100, std::chrono::minutes(1))};
  return r;
}

void RuleChange(benchmark::State& state) {
  BenchClock clock;
  const std::string dir = temp_dir("rules");
  auto store = take(store::sqlite::SqliteStore::open(dir + "/gaia.db", clock));
  core::Limiter limiter(core::RuleSet::compile({}, rule_options()).value(), {});
  std::vector<core::Rule> existing;
  for (int64_t i = 0; i < state.range(0); ++i) existing.push_back(user_rule(1000 + i));
  auto book = take(rules::RuleBook::load(*store, limiter, rule_options()));
  if (!existing.empty() && !book->add(existing, 1).ok()) state.SkipWithError("seed");
  core::Rule global;
  global.command_type = "shell";
  global.limits = {core::LimitSpec::calendar(100, core::CalendarPeriod::kDay)};
  for (auto _ : state) {
    auto created = book->create(global, 2);
    if (!created.ok() || !book->remove(created->id).ok()) state.SkipWithError("change");
  }
  state.SetItemsProcessed(state.iterations() * 2);  // changes
  book.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(RuleChange)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond);

void UsageListing(benchmark::State& state) {
  BenchClock clock;
  const std::string dir = temp_dir("usage");
  auto store = take(store::sqlite::SqliteStore::open(dir + "/gaia.db", clock));
  auto hasher = take(identity::KeyHasher::from_file(dir + "/secret"));
  auto directory = take(identity::Directory::load(*store, hasher));
  core::Limiter limiter(core::RuleSet::compile({}, rule_options()).value(), {});
  auto book = take(rules::RuleBook::load(*store, limiter, rule_options()));
  const int64_t users = state.range(0);
  (void)store->flush();
  for (int64_t i = 0; i < users; ++i) {
    auto u = directory->create_user("user" + std::to_string(i), core::Tier::kDefault, 1);
    if (!u.ok()) return state.SkipWithError("user");
    for (core::CommandTypeId t = 0; t < 5; ++t) {
      (void)limiter.check({{u->id, 0, core::Tier::kDefault}, t, 1}, clock.now());
    }
  }
  metrics::MetricsRegistry registry;
  api::ServiceMetrics metrics(registry, *store);
  NullFeed feed;
  http::Router router;
  api::add_api_pools(router, {});
  api::admin::add_admin_usage_api(router,
                                  {limiter, *store, *directory, clock, metrics, *book, feed});
  auto key = take(directory->create_key("user0", store::Role::kAdmin, "", 1));
  http::Request req;
  req.method = "GET";
  req.path = "/api/admin/quotas/usage";
  req.query = "limit=100";
  req.headers.push_back({"Authorization", "Bearer " + key.key});
  for (auto _ : state) {
    http::Response r = router.route(req);
    if (r.status != 200) state.SkipWithError("status");
    benchmark::DoNotOptimize(r.body.data());
  }
  state.counters["rows_folded"] = static_cast<double>(users * 15);
  std::filesystem::remove_all(dir);
}
BENCHMARK(UsageListing)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void ResetUser(benchmark::State& state) {
  BenchClock clock;
  core::Limiter limiter(core::RuleSet::compile(core::default_rules(), rule_options()).value(), {});
  const int64_t users = state.range(0);
  for (int64_t u = 1; u <= users; ++u) {
    (void)limiter.check({{static_cast<uint64_t>(u), 0, core::Tier::kDefault}, 0, 1}, clock.now());
  }
  const core::KeyId keys[] = {7};
  uint64_t user = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.reset_user(user, keys));
    user = user % static_cast<uint64_t>(users) + 1;
  }
}
BENCHMARK(ResetUser)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
