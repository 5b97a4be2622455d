// RuleBook over a real SQLite store: built-in rules overridden slot by slot, changes that
// reach the limiter at once and survive a reload, and refused changes that change nothing.

#include "rules/rule_book.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <future>

#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::rules {
namespace {

using core::CalendarPeriod;
using core::LimitSpec;

constexpr core::Subject kGlobal{};
const core::Principal kAlice{7, 70, core::Tier::kDefault};
const core::Principal kBob{8, 80, core::Tier::kDefault};

core::Rule rule(core::Subject subject, std::optional<std::string> type,
                std::vector<LimitSpec> limits) {
  core::Rule r;
  r.subject = subject;
  r.command_type = std::move(type);
  r.limits = std::move(limits);
  return r;
}

core::Subject user(uint64_t id) { return {core::SubjectKind::kUser, core::Tier::kDefault, id}; }

// The real store, which also says when an addition has reached it and when the store has
// answered it.
class WatchedRuleStore final : public store::RuleStore {
 public:
  explicit WatchedRuleStore(store::RuleStore& inner) : inner_(inner) {}
  std::promise<void> adding;
  std::atomic<bool> add_answered{false};

  store::Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                                 int64_t now_ms) override {
    adding.set_value();
    auto ids = inner_.add_rules(bodies, now_ms);
    add_answered = true;
    return ids;
  }
  store::Result<std::vector<store::StoredRule>> list_rules() override {
    return inner_.list_rules();
  }
  store::Status update_rule(uint64_t id, std::string_view body, int64_t now_ms) override {
    return inner_.update_rule(id, body, now_ms);
  }
  store::Result<std::vector<uint64_t>> replace_rules(const std::vector<uint64_t>& remove,
                                                     const std::vector<std::string>& bodies,
                                                     int64_t now_ms) override {
    return inner_.replace_rules(remove, bodies, now_ms);
  }
  store::Result<std::vector<store::StoredCommandType>> list_command_types() override {
    return inner_.list_command_types();
  }
  store::Result<store::PutCommandType> put_command_type(std::string_view name,
                                                        std::string_view description,
                                                        const std::vector<std::string>& bodies,
                                                        int64_t now_ms) override {
    return inner_.put_command_type(name, description, bodies, now_ms);
  }
  store::Status retire_command_type(std::string_view name, const std::vector<uint64_t>& remove,
                                    int64_t now_ms) override {
    return inner_.retire_command_type(name, remove, now_ms);
  }

 private:
  store::RuleStore& inner_;
};

class RuleBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
    load();
  }
  void load() {
    book_.reset();
    auto book = RuleBook::load(*store_, limiter_, options());
    ASSERT_TRUE(book.ok()) << book.status().message();
    book_ = std::move(book.value());
  }
  static core::RuleSetOptions options() {
    return {core::default_command_types(), core::Calendar::utc(), {}};
  }
  // Runs `sql` on the database through a connection of its own, as an operator would.
  void run_sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("gaia.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
  }
  // Makes the database refuse `event` ("INSERT ON quota_rules", ...) until allowed again.
  void refuse(const std::string& event) {
    run_sql("CREATE TRIGGER refuse BEFORE " + event + " BEGIN SELECT RAISE(ABORT, 'refused'); END");
  }
  void allow() { run_sql("DROP TRIGGER refuse"); }
  // The enforced amount of `p`'s shell limit of `period`, 0 if none.
  uint64_t shell_quota(const core::Principal& p, CalendarPeriod period) {
    for (const core::QuotaLine& line : limiter_.quota_status(p, clock_.now())) {
      const core::CompiledLimit& l = line.state.limit;
      if (line.type == 0 && l.kind == core::LimitKind::kCalendar && l.period == period) {
        return l.amount;
      }
    }
    return 0;
  }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  core::Limiter limiter_{core::RuleSet::compile({}, options()).value(), {}};
  std::unique_ptr<RuleBook> book_;
};

TEST_F(RuleBookTest, BuiltInRulesAreInForceAndListedFirst) {
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 500u);
  auto listed = book_->list();
  ASSERT_EQ(listed.size(), 5u);
  EXPECT_TRUE(listed[0].builtin);
  EXPECT_EQ(listed[0].rule.name, "default-shell");
  EXPECT_TRUE(book_->is_builtin("default-shell"));
  EXPECT_FALSE(book_->is_builtin("shell"));
}

TEST_F(RuleBookTest, AGlobalRuleOverridesOnlyTheBuiltInSlotsItSets) {
  auto created =
      book_->create(rule(kGlobal, "shell", {LimitSpec::calendar(100, CalendarPeriod::kDay)}), 1000);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_GT(created->id, 0u);
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 100u);
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kWeek), 3000u);
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kMonth), 10000u);
  auto listed = book_->list();
  EXPECT_TRUE(listed[0].overridden);
  EXPECT_FALSE(listed[1].overridden);
}

TEST_F(RuleBookTest, AShadowRuleDoesNotOverrideTheBuiltIn) {
  core::Rule shadow = rule(kGlobal, "shell", {LimitSpec::calendar(100, CalendarPeriod::kDay)});
  shadow.enforcement = core::Enforcement::kShadow;
  ASSERT_TRUE(book_->create(shadow, 1000).ok());
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 500u);
  EXPECT_FALSE(book_->list()[0].overridden);
}

TEST_F(RuleBookTest, UpdateAndRemoveReachTheLimiterAndSurviveAReload) {
  auto created =
      book_->create(rule(kGlobal, "shell", {LimitSpec::calendar(100, CalendarPeriod::kDay)}), 1000);
  ASSERT_TRUE(created.ok());
  auto updated = book_->update(
      created->id, rule(kGlobal, "shell", {LimitSpec::calendar(50, CalendarPeriod::kDay)}), 2000);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 50u);
  load();
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 50u);
  ASSERT_EQ(book_->find(created->id)->updated_at_ms, 2000);
  auto removed = book_->remove(created->id);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->limits[0].amount, 50u);
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 500u);
  load();
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 500u);
  EXPECT_EQ(book_->remove(created->id).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(
      book_->update(999, rule(kGlobal, "shell", {LimitSpec::concurrency(1)}), 1).status().code(),
      core::StatusCode::kNotFound);
}

TEST_F(RuleBookTest, ARulesOutagePolicyIsStoredAndReachesItsLimits) {
  core::Rule open = rule(kGlobal, "shell", {LimitSpec::calendar(100, CalendarPeriod::kDay)});
  open.outage = core::OutagePolicy::kOpen;
  auto created = book_->create(open, 1000);
  ASSERT_TRUE(created.ok()) << created.status().message();
  load();  // from the store
  EXPECT_EQ(book_->find(created->id)->rule.outage, core::OutagePolicy::kOpen);
  for (const core::QuotaLine& line : limiter_.quota_status(kAlice, clock_.now())) {
    const core::CompiledLimit& l = line.state.limit;
    const bool mine =
        line.type == 0 && l.kind == core::LimitKind::kCalendar && l.period == CalendarPeriod::kDay;
    EXPECT_EQ(l.outage, mine ? core::OutagePolicy::kOpen : core::OutagePolicy::kDefault)
        << core::period_name(l.period);
  }
}

TEST_F(RuleBookTest, InvalidRulesNameTheFieldAndChangeNothing) {
  auto bad_type = book_->create(rule(kGlobal, "dance", {LimitSpec::concurrency(1)}), 1);
  EXPECT_EQ(bad_type.status().message(), "command_type: unknown type \"dance\"");
  auto bad_window = book_->create(
      rule(kGlobal, "shell",
           {LimitSpec::concurrency(1), LimitSpec::rate(1, std::chrono::milliseconds(0))}),
      1);
  EXPECT_EQ(bad_window.status().message().rfind("limits[1].window_ms: ", 0), 0u)
      << bad_window.status().message();
  ASSERT_TRUE(book_->create(rule(kGlobal, "code", {LimitSpec::concurrency(2)}), 1).ok());
  auto clash = book_->create(rule(kGlobal, "code", {LimitSpec::concurrency(3)}), 1);
  EXPECT_EQ(clash.status().message().rfind("limits[0]: ", 0), 0u) << clash.status().message();
  EXPECT_EQ(book_->list().size(), 6u);
  EXPECT_EQ(store_->list_rules().value().size(), 1u);
}

TEST_F(RuleBookTest, UserRulesAreReplacedTogether) {
  ASSERT_TRUE(book_->create(rule(user(7), "code", {LimitSpec::concurrency(2)}), 1).ok());
  ASSERT_TRUE(book_->create(rule(user(8), "shell", {LimitSpec::concurrency(2)}), 1).ok());
  auto replaced = book_->replace_user_rules(
      7,
      {rule(user(7), "shell", {LimitSpec::calendar(5, CalendarPeriod::kDay)}),
       rule(user(7), std::nullopt, {LimitSpec::rate(9, std::chrono::minutes(1))})},
      2);
  ASSERT_TRUE(replaced.ok()) << replaced.status().message();
  ASSERT_EQ(book_->user_rules(7).size(), 2u);
  EXPECT_EQ(book_->user_rules(8).size(), 1u);
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 5u);
  EXPECT_EQ(shell_quota(kBob, CalendarPeriod::kDay), 500u);
  load();
  EXPECT_EQ(book_->user_rules(7).size(), 2u);
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 5u);
}

TEST_F(RuleBookTest, ARefusedUserReplacementKeepsTheOldRules) {
  ASSERT_TRUE(book_->create(rule(user(7), "code", {LimitSpec::concurrency(2)}), 1).ok());
  auto refused = book_->replace_user_rules(7,
                                           {rule(user(7), "shell", {LimitSpec::concurrency(1)}),
                                            rule(user(7), "dance", {LimitSpec::concurrency(1)})},
                                           2);
  EXPECT_EQ(refused.status().message().rfind("rules[1].command_type: ", 0), 0u)
      << refused.status().message();
  ASSERT_EQ(book_->user_rules(7).size(), 1u);
  EXPECT_EQ(book_->user_rules(7)[0].command_type, "code");
  EXPECT_EQ(store_->list_rules().value().size(), 1u);
  EXPECT_FALSE(
      book_->replace_user_rules(7, {rule(user(8), "shell", {LimitSpec::concurrency(1)})}, 3).ok());
}

TEST_F(RuleBookTest, ListingAndValidatingDoNotWaitForAChangeStuckOnTheDatabase) {
  WatchedRuleStore watched(*store_);
  auto loaded = RuleBook::load(watched, limiter_, options());
  ASSERT_TRUE(loaded.ok());
  RuleBook& book = *loaded.value();
  // Another connection holds the database's write lock: the change's write must wait.
  sqlite3* locker = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("gaia.db").c_str(), &locker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(locker, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto change = std::async(std::launch::async, [&] {
    return book.create(rule(kGlobal, "shell", {LimitSpec::calendar(5, CalendarPeriod::kDay)}), 1);
  });
  ASSERT_EQ(watched.adding.get_future().wait_for(std::chrono::seconds(30)),
            std::future_status::ready);

  EXPECT_FALSE(book.list().empty());
  EXPECT_TRUE(
      book.validate({rule(user(7), "code", {LimitSpec::calendar(1, CalendarPeriod::kDay)})}).ok());
  EXPECT_TRUE(book.user_rules(7).empty());
  EXPECT_FALSE(watched.add_answered) << "the change was still waiting for the database";

  ASSERT_EQ(sqlite3_exec(locker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(locker);
  EXPECT_TRUE(change.get().ok());
  EXPECT_EQ(shell_quota(kAlice, CalendarPeriod::kDay), 5u);
}

TEST_F(RuleBookTest, AnAddedTypeIsCheckedUnderItsTierRulesAndSurvivesAReload) {
  core::Rule tier_rule = rule({core::SubjectKind::kTier, core::Tier::kDefault, 0}, "deploy",
                              {LimitSpec::calendar(2, CalendarPeriod::kDay)});
  auto added = book_->add_type("deploy", "deployments", {tier_rule}, 1);
  ASSERT_TRUE(added.ok()) << added.status().message();
  load();
  auto deploy = limiter_.rules()->type_id("deploy");
  ASSERT_TRUE(deploy.has_value());
  const core::Decision first = limiter_.check({kAlice, *deploy, 2}, clock_.now());
  EXPECT_TRUE(first.allowed);
  EXPECT_FALSE(limiter_.check({kAlice, *deploy, 1}, clock_.now()).allowed);
  ASSERT_EQ(book_->types().size(), 6u);
  EXPECT_EQ(book_->types().back().description, "deployments");
}

// A type and its rules are one write: when the rules cannot be stored, neither is the type, so
// that no node ever reads the type without its limits.
TEST_F(RuleBookTest, ATypeWhoseRulesCannotBeStoredIsNotStoredEither) {
  refuse("INSERT ON quota_rules");
  core::Rule tier_rule = rule({core::SubjectKind::kTier, core::Tier::kDefault, 0}, "deploy",
                              {LimitSpec::calendar(2, CalendarPeriod::kDay)});
  EXPECT_FALSE(book_->add_type("deploy", "", {tier_rule}, 1).ok());
  auto stored = store_->list_command_types();
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
  load();
  EXPECT_EQ(limiter_.rules()->type_id("deploy"), std::nullopt);

  allow();
  ASSERT_TRUE(book_->add_type("deploy", "", {tier_rule}, 2).ok());
  load();
  EXPECT_TRUE(limiter_.rules()->type_id("deploy").has_value());
}

// So is a type's removal with the removal of its rules: when the type cannot be retired, its
// rules stay too.
TEST_F(RuleBookTest, ATypeThatCannotBeRetiredKeepsItsRules) {
  core::Rule tier_rule = rule({core::SubjectKind::kTier, core::Tier::kDefault, 0}, "deploy",
                              {LimitSpec::calendar(2, CalendarPeriod::kDay)});
  ASSERT_TRUE(book_->add_type("deploy", "", {tier_rule}, 1).ok());
  auto rules_before = store_->list_rules();
  ASSERT_TRUE(rules_before.ok());
  refuse("UPDATE ON command_types");
  EXPECT_FALSE(book_->remove_type("deploy", 2).ok());
  auto rules_after = store_->list_rules();
  ASSERT_TRUE(rules_after.ok());
  EXPECT_EQ(rules_after->size(), rules_before->size());
  load();
  auto deploy = limiter_.rules()->type_id("deploy");
  ASSERT_TRUE(deploy.has_value());
  EXPECT_TRUE(limiter_.check({kAlice, *deploy, 2}, clock_.now()).allowed);
  EXPECT_FALSE(limiter_.check({kAlice, *deploy, 1}, clock_.now()).allowed) << "its limit holds";
  allow();
  ASSERT_TRUE(book_->remove_type("deploy", 3).ok());
}

TEST_F(RuleBookTest, ARemovedTypeKeepsItsPlaceSoTheTypesAfterItKeepTheirIds) {
  // The limiter's counters are keyed by type id: a removal must not shift the others.
  ASSERT_TRUE(book_->add_type("deploy", "", {}, 1).ok());
  ASSERT_TRUE(book_->add_type("lint", "", {}, 1).ok());
  ASSERT_EQ(limiter_.rules()->type_id("lint"), 6);
  auto removed = book_->remove_type("deploy", 2);
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  EXPECT_EQ(limiter_.rules()->type_id("deploy"), std::nullopt);
  EXPECT_EQ(limiter_.rules()->type_id("lint"), 6);
  load();
  EXPECT_EQ(limiter_.rules()->type_id("deploy"), std::nullopt);
  EXPECT_EQ(limiter_.rules()->type_id("lint"), 6);
  ASSERT_TRUE(book_->add_type("deploy", "again", {}, 3).ok());
  EXPECT_EQ(limiter_.rules()->type_id("deploy"), 5);
}

TEST_F(RuleBookTest, RemovingATypeRemovesTheRulesThatNameItAndRefusesBuiltInOnes) {
  ASSERT_TRUE(book_->add_type("deploy", "", {}, 1).ok());
  ASSERT_TRUE(
      book_->create(rule(user(7), "deploy", {LimitSpec::calendar(1, CalendarPeriod::kDay)}), 1)
          .ok());
  auto removed = book_->remove_type("deploy", 2);
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  EXPECT_EQ(removed->size(), 1u);
  EXPECT_TRUE(book_->user_rules(7).empty());
  EXPECT_EQ(book_->remove_type("deploy", 3).status().code(), core::StatusCode::kNotFound);
  EXPECT_EQ(book_->remove_type("shell", 3).status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(book_->add_type("shell", "", {}, 3).status().code(),
            core::StatusCode::kInvalidArgument);
  load();  // what is stored compiles
  EXPECT_EQ(book_->types().size(), 5u);
}

}  // namespace
}  // namespace gaia::rules
