// The evaluator over a real SQLite store and a manual clock: pending → firing → resolved with
// every transition stored, cooldown against flapping, acknowledging, silencing, one alert per
// offending user, and rules changed without a restart.

#include "alerts/evaluator.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "alerts/default_rules.h"
#include "store/sqlite/sqlite_store.h"
#include "support/eventually.h"
#include "support/manual_clock.h"
#include "support/temp_dir.h"

namespace gaia::alerts {
namespace {

using namespace std::chrono_literals;

// Figures the test sets; a metric without any is unknown (no samples).
class FakeMetrics : public MetricSource {
 public:
  void set(std::string metric, ScopeKind scope, std::vector<Sample> samples) {
    std::lock_guard lock(mu_);
    figures_[{std::move(metric), scope}] = std::move(samples);
  }
  void set_global(std::string metric, double value) {
    set(std::move(metric), ScopeKind::kGlobal, {{"", value}});
  }
  void read(std::string_view metric, ScopeKind scope, std::vector<Sample>& out) override {
    std::lock_guard lock(mu_);
    ++reads_;
    auto it = figures_.find({std::string(metric), scope});
    if (it != figures_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  int reads() {
    std::lock_guard lock(mu_);
    return reads_;
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, ScopeKind>, std::vector<Sample>> figures_;
  int reads_ = 0;
};

class RecordingNotifier : public Notifier {
 public:
  void notify(const AlertGroup& group) override { told.push_back(group); }
  std::vector<AlertGroup> told;
};

class EvaluatorTest : public ::testing::Test {
 protected:
  EvaluatorTest() {
    auto opened = store::sqlite::SqliteStore::open(dir_.file("gaia.db"), clock_);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened.value());
    evaluator_ = make();
  }
  std::unique_ptr<Evaluator> make() {
    auto e = std::make_unique<Evaluator>(*store_, metrics_, clock_, EvaluatorOptions{});
    e->add_channel("log", log_);
    EXPECT_TRUE(e->load({}).ok());
    return e;
  }
  static AlertRule cpu_rule(std::chrono::seconds for_duration, std::chrono::seconds cooldown) {
    AlertRule r;
    r.name = "CPU hot";
    r.metric = "cpu_pct";
    r.condition = Condition::kGreater;
    r.threshold = 90;
    r.for_duration = for_duration;
    r.cooldown = cooldown;
    r.channels = {"log"};
    return r;
  }
  AlertRule add(AlertRule rule) {
    auto made = evaluator_->create_rule(std::move(rule));
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.value();
  }
  std::vector<store::StoredAlert> alerts(std::optional<std::string> state = std::nullopt) {
    store::AlertFilter f;
    f.state = std::move(state);
    auto rows = store_->list_alerts(f);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    return rows.ok() ? rows.value() : std::vector<store::StoredAlert>{};
  }
  int64_t now_ms() const { return core::to_ms(clock_.now().wall); }

  testing::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeMetrics metrics_;
  RecordingNotifier log_;
  std::unique_ptr<Evaluator> evaluator_;
};

TEST_F(EvaluatorTest, PendingThenFiringThenResolvedWithEveryTransitionStored) {
  add(cpu_rule(60s, 0s));
  metrics_.set_global("cpu_pct", 95);
  const int64_t t0 = now_ms();
  evaluator_->evaluate();
  ASSERT_EQ(alerts("pending").size(), 1u);
  EXPECT_TRUE(log_.told.empty());

  clock_.advance(30s);
  metrics_.set_global("cpu_pct", 97);
  evaluator_->evaluate();
  EXPECT_EQ(alerts("pending").size(), 1u);  // held 30 s of 60
  EXPECT_TRUE(log_.told.empty());

  clock_.advance(30s);
  metrics_.set_global("cpu_pct", 99);
  evaluator_->evaluate();
  ASSERT_EQ(alerts("firing").size(), 1u);
  ASSERT_EQ(log_.told.size(), 1u);
  EXPECT_EQ(log_.told[0].event, AlertEvent::kFiring);
  EXPECT_EQ(log_.told[0].rule_name, "CPU hot");
  EXPECT_EQ(log_.told[0].at_ms, t0 + 60'000);
  ASSERT_EQ(log_.told[0].alerts.size(), 1u);
  EXPECT_EQ(log_.told[0].alerts[0].alert_id, alerts("firing")[0].id);
  EXPECT_EQ(log_.told[0].alerts[0].scope, "global");
  EXPECT_EQ(log_.told[0].alerts[0].value, 99);
  EXPECT_EQ(log_.told[0].alerts[0].since_ms, t0);
  EXPECT_EQ(log_.told[0].firing, 1u);
  EXPECT_EQ(evaluator_->summary().firing, 1u);

  clock_.advance(10s);
  metrics_.set_global("cpu_pct", 40);
  evaluator_->evaluate();
  ASSERT_EQ(log_.told.size(), 2u);
  EXPECT_EQ(log_.told[1].event, AlertEvent::kResolved);
  EXPECT_EQ(log_.told[1].alerts[0].value, 40);
  EXPECT_EQ(log_.told[1].firing, 0u);
  EXPECT_EQ(evaluator_->summary().firing, 0u);

  auto all = alerts();
  ASSERT_EQ(all.size(), 1u);
  const store::StoredAlert& a = all[0];
  EXPECT_EQ(a.state, "resolved");
  EXPECT_EQ(a.scope, "global");
  EXPECT_EQ(a.rule_name, "CPU hot");
  EXPECT_EQ(a.started_at_ms, t0);
  ASSERT_EQ(a.transitions.size(), 3u);
  EXPECT_EQ(a.transitions[0].state, "pending");
  EXPECT_EQ(a.transitions[0].value, 95);
  EXPECT_EQ(a.transitions[0].at_ms, t0);
  EXPECT_EQ(a.transitions[1].state, "firing");
  EXPECT_EQ(a.transitions[1].value, 99);
  EXPECT_EQ(a.transitions[1].at_ms, t0 + 60'000);
  EXPECT_EQ(a.transitions[2].state, "resolved");
  EXPECT_EQ(a.transitions[2].value, 40);
  EXPECT_EQ(a.transitions[2].at_ms, t0 + 70'000);
}

TEST_F(EvaluatorTest, APendingAlertThatClearsNeverNotifies) {
  add(cpu_rule(60s, 0s));
  metrics_.set_global("cpu_pct", 95);
  evaluator_->evaluate();
  clock_.advance(20s);
  metrics_.set_global("cpu_pct", 10);
  evaluator_->evaluate();
  EXPECT_TRUE(log_.told.empty());
  auto all = alerts();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state, "resolved");
  EXPECT_EQ(all[0].transitions.size(), 2u);
}

TEST_F(EvaluatorTest, CooldownStopsAFlappingRuleFromNotifyingAgain) {
  add(cpu_rule(0s, 300s));
  auto flap = [&](double value) {
    metrics_.set_global("cpu_pct", value);
    evaluator_->evaluate();
    clock_.advance(10s);
  };
  flap(95);  // fires: told
  flap(50);  // resolves: told
  ASSERT_EQ(log_.told.size(), 2u);
  flap(95);  // fires again within the cooldown: stored, not told
  flap(50);  // and its resolution is not told either
  flap(95);
  EXPECT_EQ(log_.told.size(), 2u);
  EXPECT_EQ(alerts("firing").size(), 1u);
  EXPECT_EQ(alerts("resolved").size(), 2u);
  flap(50);
  clock_.advance(300s);  // the cooldown is over
  flap(95);
  ASSERT_EQ(log_.told.size(), 3u);
  EXPECT_EQ(log_.told[2].event, AlertEvent::kFiring);
}

TEST_F(EvaluatorTest, AcknowledgingKeepsWhoWhenAndANote) {
  add(cpu_rule(0s, 0s));
  metrics_.set_global("cpu_pct", 95);
  evaluator_->evaluate();
  auto firing = alerts("firing");
  ASSERT_EQ(firing.size(), 1u);
  clock_.advance(5s);
  auto acked = evaluator_->acknowledge(firing[0].id, "root", "looking into it");
  ASSERT_TRUE(acked.ok()) << acked.status().message();
  EXPECT_EQ(acked->ack_by, "root");
  EXPECT_EQ(acked->state, "firing");

  // The ack stays through later rounds, and is stored.
  clock_.advance(10s);
  metrics_.set_global("cpu_pct", 20);
  evaluator_->evaluate();
  auto stored = store_->find_alert(firing[0].id).value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, "resolved");
  EXPECT_EQ(stored->ack_by, "root");
  EXPECT_EQ(stored->ack_at_ms, now_ms() - 10'000);
  EXPECT_EQ(stored->ack_note, "looking into it");
  // A resolved alert can be acknowledged too; an unknown one cannot.
  EXPECT_TRUE(evaluator_->acknowledge(firing[0].id, "ann", "").ok());
  EXPECT_EQ(evaluator_->acknowledge(firing[0].id + 50, "ann", "").status().code(),
            core::StatusCode::kNotFound);
}

TEST_F(EvaluatorTest, ASilencedAlertAndTheNextOfItsScopeAreNotTold) {
  add(cpu_rule(20s, 0s));
  metrics_.set_global("cpu_pct", 95);
  evaluator_->evaluate();
  auto pending = alerts("pending");
  ASSERT_EQ(pending.size(), 1u);
  const int64_t until = now_ms() + 3'600'000;
  auto silenced = evaluator_->silence(pending[0].id, until);
  ASSERT_TRUE(silenced.ok()) << silenced.status().message();
  EXPECT_EQ(silenced->silenced_until_ms, until);

  clock_.advance(30s);
  evaluator_->evaluate();  // fires, silenced
  EXPECT_EQ(alerts("firing").size(), 1u);
  clock_.advance(10s);
  metrics_.set_global("cpu_pct", 10);
  evaluator_->evaluate();  // resolves, silenced
  clock_.advance(10s);
  metrics_.set_global("cpu_pct", 95);
  evaluator_->evaluate();
  clock_.advance(30s);
  evaluator_->evaluate();  // a new alert of the same rule fires under the same silence
  auto firing = alerts("firing");
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_NE(firing[0].id, pending[0].id);
  EXPECT_EQ(firing[0].silenced_until_ms, until);
  EXPECT_TRUE(log_.told.empty());

  // Lifting the silence (a time already past) lets the next firing through.
  ASSERT_TRUE(evaluator_->silence(firing[0].id, 0).ok());
  metrics_.set_global("cpu_pct", 10);
  evaluator_->evaluate();
  metrics_.set_global("cpu_pct", 95);
  evaluator_->evaluate();
  clock_.advance(30s);
  evaluator_->evaluate();
  ASSERT_EQ(log_.told.size(), 1u);
  EXPECT_EQ(log_.told[0].event, AlertEvent::kFiring);
}

TEST_F(EvaluatorTest, AUserScopedRuleYieldsOneAlertPerOffendingUserToldAsOneGroup) {
  AlertRule r;
  r.name = "Refused a lot";
  r.metric = "violation_rate";
  r.threshold = 10;
  r.scope.kind = ScopeKind::kUser;
  r.channels = {"log"};
  add(r);
  metrics_.set("violation_rate", ScopeKind::kUser, {{"ann", 20}, {"bob", 5}, {"cy", 30}});
  evaluator_->evaluate();
  auto firing = alerts("firing");
  ASSERT_EQ(firing.size(), 2u);
  EXPECT_EQ(firing[0].scope, "user:cy");
  EXPECT_EQ(firing[0].value, 30);
  EXPECT_EQ(firing[1].scope, "user:ann");
  ASSERT_EQ(log_.told.size(), 1u);
  ASSERT_EQ(log_.told[0].alerts.size(), 2u);
  EXPECT_EQ(log_.told[0].alerts[0].scope, "user:cy");  // furthest past the threshold first
  EXPECT_EQ(log_.told[0].alerts[1].scope, "user:ann");

  // ann calms down, cy's figure disappears (counts as 0), bob starts.
  clock_.advance(10s);
  metrics_.set("violation_rate", ScopeKind::kUser, {{"ann", 2}, {"bob", 50}});
  evaluator_->evaluate();
  firing = alerts("firing");
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].scope, "user:bob");
  auto resolved = alerts("resolved");
  ASSERT_EQ(resolved.size(), 2u);
  for (const store::StoredAlert& a : resolved) {
    EXPECT_EQ(a.transitions.back().value, a.scope == "user:ann" ? 2 : 0) << a.scope;
  }
  // One group per event: bob firing, ann and cy resolved.
  ASSERT_EQ(log_.told.size(), 3u);
  EXPECT_EQ(log_.told[1].event, AlertEvent::kFiring);
  ASSERT_EQ(log_.told[1].alerts.size(), 1u);
  EXPECT_EQ(log_.told[1].alerts[0].scope, "user:bob");
  EXPECT_EQ(log_.told[2].event, AlertEvent::kResolved);
  ASSERT_EQ(log_.told[2].alerts.size(), 2u);
  EXPECT_EQ(log_.told[2].alerts[0].scope, "user:ann");
  EXPECT_EQ(log_.told[2].alerts[1].scope, "user:cy");
  EXPECT_EQ(log_.told[2].firing, 1u);
}

TEST_F(EvaluatorTest, AThousandUsersCrossingOneRuleInARoundAreOneNotification) {
  AlertRule r;
  r.name = "Repeat violator";
  r.metric = "detector_violators";
  r.threshold = 0;
  r.scope.kind = ScopeKind::kUser;
  r.cooldown = 3600s;
  r.channels = {"log"};
  const AlertRule rule = add(r);
  std::vector<Sample> flood;
  for (int i = 0; i < 1000; ++i) flood.push_back({"u" + std::to_string(i), 11.0 + i % 7});
  metrics_.set("detector_violators", ScopeKind::kUser, flood);
  evaluator_->evaluate();
  ASSERT_EQ(log_.told.size(), 1u);
  const AlertGroup& fired = log_.told[0];
  EXPECT_EQ(fired.event, AlertEvent::kFiring);
  EXPECT_EQ(fired.rule_id, rule.id);
  EXPECT_EQ(fired.rule_name, "Repeat violator");
  EXPECT_EQ(fired.severity, "warning");
  EXPECT_EQ(fired.at_ms, now_ms());
  EXPECT_EQ(fired.firing, 1000u);
  ASSERT_EQ(fired.alerts.size(), 1000u);
  std::set<std::string> scopes;
  std::set<uint64_t> ids;
  for (const GroupedAlert& a : fired.alerts) {
    scopes.insert(a.scope);
    ids.insert(a.alert_id);
    EXPECT_EQ(a.since_ms, now_ms());
  }
  EXPECT_EQ(scopes.size(), 1000u);
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(fired.alerts.front().value, 17);  // the worst first
  EXPECT_EQ(fired.alerts.back().value, 11);
  // Each user still has an alert of its own, for acknowledging and silencing.
  store::AlertFilter firing;
  firing.state = "firing";
  firing.limit = 2000;
  EXPECT_EQ(store_->list_alerts(firing).value().size(), 1000u);

  // A round that changes nothing tells nothing.
  clock_.advance(10s);
  evaluator_->evaluate();
  EXPECT_EQ(log_.told.size(), 1u);

  // Half of them calm down: one resolved group of 500; the rest fire on.
  clock_.advance(10s);
  for (size_t i = 0; i < flood.size(); i += 2) flood[i].value = 0;
  metrics_.set("detector_violators", ScopeKind::kUser, flood);
  evaluator_->evaluate();
  ASSERT_EQ(log_.told.size(), 2u);
  const AlertGroup& resolved = log_.told[1];
  EXPECT_EQ(resolved.event, AlertEvent::kResolved);
  EXPECT_EQ(resolved.alerts.size(), 500u);
  EXPECT_EQ(resolved.firing, 500u);
  for (const GroupedAlert& a : resolved.alerts) EXPECT_EQ(a.value, 0);
  EXPECT_EQ(evaluator_->summary().firing, 500u);
}

// Runs `sql` on the test's database through a connection of its own.
void run_sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(EvaluatorTest, ARoundTheStoreRefusesMovesNoAlertAndIsDoneAgainNextRound) {
  AlertRule r = cpu_rule(0s, 0s);
  r.metric = "violation_rate";
  r.scope.kind = ScopeKind::kUser;
  r.threshold = 10;
  add(r);
  // The store fails each round's write part way, after the first alert row went in.
  const std::string db = dir_.file("gaia.db");
  const char* kBreak =
      "CREATE TRIGGER no_transitions BEFORE INSERT ON alert_transitions "
      "BEGIN SELECT RAISE(ABORT, 'disk says no'); END";
  const char* kMend = "DROP TRIGGER no_transitions";
  run_sql(db, kBreak);
  metrics_.set("violation_rate", ScopeKind::kUser, {{"ann", 50}, {"bob", 60}, {"cy", 70}});
  evaluator_->evaluate();
  EXPECT_TRUE(log_.told.empty());
  EXPECT_EQ(evaluator_->summary().firing, 0u);
  EXPECT_NE(evaluator_->summary().last_error.find("disk says no"), std::string::npos);
  EXPECT_TRUE(alerts().empty());

  run_sql(db, kMend);
  clock_.advance(10s);
  evaluator_->evaluate();
  ASSERT_EQ(log_.told.size(), 1u);
  EXPECT_EQ(log_.told[0].alerts.size(), 3u);
  EXPECT_EQ(evaluator_->summary().firing, 3u);
  EXPECT_EQ(alerts("firing").size(), 3u);

  // Resolving fails the same way: the alerts stay firing, untold, until the store is back.
  run_sql(db, kBreak);
  clock_.advance(10s);
  metrics_.set("violation_rate", ScopeKind::kUser, {{"ann", 0}, {"bob", 0}, {"cy", 0}});
  evaluator_->evaluate();
  EXPECT_EQ(log_.told.size(), 1u);
  EXPECT_EQ(evaluator_->summary().firing, 3u);
  EXPECT_EQ(alerts("firing").size(), 3u);

  run_sql(db, kMend);
  clock_.advance(10s);
  evaluator_->evaluate();
  ASSERT_EQ(log_.told.size(), 2u);
  EXPECT_EQ(log_.told[1].event, AlertEvent::kResolved);
  EXPECT_EQ(log_.told[1].alerts.size(), 3u);
  EXPECT_EQ(evaluator_->summary().firing, 0u);
  EXPECT_EQ(alerts("resolved").size(), 3u);
}

TEST_F(EvaluatorTest, EachRuleIsItsOwnGroupAndALowRuleListsTheLowestFirst) {
  AlertRule hot = cpu_rule(0s, 0s);
  add(hot);
  AlertRule share;
  share.name = "Little admitted";
  share.metric = "refusal_share";
  share.condition = Condition::kLess;
  share.threshold = 50;
  share.scope.kind = ScopeKind::kType;
  share.channels = {"log"};
  add(share);
  metrics_.set_global("cpu_pct", 95);
  metrics_.set("refusal_share", ScopeKind::kType, {{"code", 40}, {"shell", 10}, {"test", 90}});
  evaluator_->evaluate();
  ASSERT_EQ(log_.told.size(), 2u);
  EXPECT_EQ(log_.told[0].rule_name, "CPU hot");
  EXPECT_EQ(log_.told[0].alerts.size(), 1u);
  const AlertGroup& low = log_.told[1];
  EXPECT_EQ(low.rule_name, "Little admitted");
  ASSERT_EQ(low.alerts.size(), 2u);
  EXPECT_EQ(low.alerts[0].scope, "type:shell");
  EXPECT_EQ(low.alerts[1].scope, "type:code");
}

TEST_F(EvaluatorTest, ASilencedAlertIsLeftOutOfItsGroup) {
  AlertRule r;
  r.name = "Refused a lot";
  r.metric = "violation_rate";
  r.threshold = 10;
  r.scope.kind = ScopeKind::kUser;
  r.for_duration = 20s;
  r.channels = {"log"};
  add(r);
  metrics_.set("violation_rate", ScopeKind::kUser, {{"ann", 20}, {"bob", 30}, {"cy", 40}});
  evaluator_->evaluate();
  auto pending = alerts("pending");
  ASSERT_EQ(pending.size(), 3u);
  for (const store::StoredAlert& a : pending) {
    if (a.scope == "user:bob") {
      ASSERT_TRUE(evaluator_->silence(a.id, now_ms() + 60'000).ok());
    }
  }
  clock_.advance(30s);
  evaluator_->evaluate();
  EXPECT_EQ(alerts("firing").size(), 3u);
  ASSERT_EQ(log_.told.size(), 1u);
  ASSERT_EQ(log_.told[0].alerts.size(), 2u);
  EXPECT_EQ(log_.told[0].alerts[0].scope, "user:cy");
  EXPECT_EQ(log_.told[0].alerts[1].scope, "user:ann");
  EXPECT_EQ(log_.told[0].firing, 3u);  // bob fires too, untold
}

TEST_F(EvaluatorTest, ARuleNamingOneUserWatchesOnlyThatUser) {
  AlertRule r;
  r.name = "Watch bob";
  r.metric = "violation_rate";
  r.threshold = 10;
  r.scope = {ScopeKind::kUser, "bob"};
  add(r);
  metrics_.set("violation_rate", ScopeKind::kUser, {{"ann", 20}, {"bob", 11}});
  evaluator_->evaluate();
  auto firing = alerts("firing");
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].scope, "user:bob");
}

TEST_F(EvaluatorTest, AnUnknownGlobalFigureLeavesAlertsAsTheyAre) {
  add(cpu_rule(0s, 0s));
  metrics_.set_global("cpu_pct", 95);
  evaluator_->evaluate();
  metrics_.set("cpu_pct", ScopeKind::kGlobal, {});
  clock_.advance(10s);
  evaluator_->evaluate();
  EXPECT_EQ(alerts("firing").size(), 1u);
}

TEST_F(EvaluatorTest, RulesChangeWithoutARestartAndSurviveOne) {
  AlertRule rule = add(cpu_rule(0s, 0s));
  metrics_.set_global("cpu_pct", 85);
  evaluator_->evaluate();
  EXPECT_TRUE(alerts().empty());

  rule.threshold = 80;  // effective at the next round
  ASSERT_TRUE(evaluator_->replace_rule(rule.id, rule).ok());
  evaluator_->evaluate();
  ASSERT_EQ(alerts("firing").size(), 1u);

  // A restart finds the rule and the firing alert, and does not tell it again.
  evaluator_ = make();
  ASSERT_EQ(evaluator_->rules().size(), 1u);
  EXPECT_EQ(evaluator_->rules()[0].threshold, 80);
  EXPECT_EQ(evaluator_->summary().firing, 1u);
  evaluator_->evaluate();
  EXPECT_EQ(log_.told.size(), 1u);
  EXPECT_EQ(alerts().size(), 1u);

  // Disabling the rule resolves its alert; deleting it too, and it is gone after a restart.
  rule.enabled = false;
  ASSERT_TRUE(evaluator_->replace_rule(rule.id, rule).ok());
  evaluator_->evaluate();
  EXPECT_EQ(alerts("resolved").size(), 1u);
  ASSERT_TRUE(evaluator_->delete_rule(rule.id).ok());
  EXPECT_EQ(evaluator_->delete_rule(rule.id).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(evaluator_->replace_rule(rule.id, rule).status().code(), core::StatusCode::kNotFound);
  evaluator_ = make();
  EXPECT_TRUE(evaluator_->rules().empty());
}

TEST_F(EvaluatorTest, DefaultRulesAreStoredOnceAndEachMetricReadOncePerRound) {
  // A database of its own: the fixture's evaluator already seeded its database with none.
  evaluator_.reset();
  auto fresh = store::sqlite::SqliteStore::open(dir_.file("fresh.db"), clock_);
  ASSERT_TRUE(fresh.ok());
  store_ = std::move(fresh.value());
  Evaluator e(*store_, metrics_, clock_, {});
  ASSERT_TRUE(e.load(default_rules()).ok());
  const size_t shipped = default_rules().size();
  ASSERT_EQ(e.rules().size(), shipped);
  const AlertRule first = e.rules()[0];
  ASSERT_TRUE(e.delete_rule(first.id).ok());
  Evaluator again(*store_, metrics_, clock_, {});
  ASSERT_TRUE(again.load(default_rules()).ok());
  EXPECT_EQ(again.rules().size(), shipped - 1);  // the deleted one stays deleted

  // Two rules on cpu_pct, one read.
  AlertRule twin = cpu_rule(0s, 0s);
  twin.threshold = 50;
  ASSERT_TRUE(again.create_rule(twin).ok());
  ASSERT_TRUE(again.create_rule(twin).ok());
  const int before = metrics_.reads();
  again.evaluate();
  std::set<std::pair<std::string, ScopeKind>> distinct;
  for (const AlertRule& r : again.rules()) {
    if (r.enabled) distinct.insert({r.metric, r.scope.kind});
  }
  EXPECT_EQ(metrics_.reads() - before, static_cast<int>(distinct.size()));
}

TEST_F(EvaluatorTest, TheTimerEvaluatesOnItsOwnThread) {
  add(cpu_rule(0s, 0s));
  metrics_.set_global("cpu_pct", 95);
  Evaluator timed(*store_, metrics_, clock_, {std::chrono::milliseconds(10)});
  ASSERT_TRUE(timed.load({}).ok());
  timed.start();
  testing::eventually([&] { return timed.summary().rounds >= 2; }, 5s, 10ms);
  timed.stop();
  EXPECT_GE(timed.summary().rounds, 2u);
  EXPECT_EQ(alerts("firing").size(), 1u);
}

}  // namespace
}  // namespace gaia::alerts
