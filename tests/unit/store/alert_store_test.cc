// The Store's alert rules and alerts, run against each backend: SQLite in a temporary
// directory and PostgreSQL in a throwaway cluster, a new database per test (the cluster is
// started by store_test.cc's environment, in the same binary).

#include <gtest/gtest.h>

#include "support/store_backends.h"

namespace gaia::store {
namespace {

using Backend = testing::StoreBackend;

class AlertStoreTest : public testing::StoreBackendTest {
 protected:
  static StoredAlert alert(uint64_t rule_id, std::string scope, std::string state) {
    StoredAlert a;
    a.rule_id = rule_id;
    a.rule_name = "rule " + std::to_string(rule_id);
    a.metric = "violation_rate";
    a.scope = std::move(scope);
    a.severity = "warning";
    a.state = std::move(state);
    a.value = 12.5;
    a.threshold = 10;
    a.started_at_ms = 1000;
    a.updated_at_ms = 1000;
    a.transitions = {{a.state, 12.5, 1000}};
    return a;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, AlertStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::store_backend_name);

TEST_P(AlertStoreTest, RulesAreAddedReplacedAndDeletedById) {
  auto store = open();
  auto a = store->add_alert_rule(R"({"v":1})", 10);
  auto b = store->add_alert_rule(R"({"v":2})", 20);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(a.value(), b.value());
  ASSERT_TRUE(store->put_alert_rule({a.value(), R"({"v":3})", 30}).ok());
  EXPECT_EQ(store->put_alert_rule({999, "{}", 30}).code(), core::StatusCode::kNotFound);
  store.reset();
  store = open();
  auto rules = store->list_alert_rules();
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules.value()[0].id, a.value());
  EXPECT_EQ(rules.value()[0].body, R"({"v":3})");
  EXPECT_EQ(rules.value()[0].updated_at_ms, 30);
  ASSERT_TRUE(store->delete_alert_rule(b.value()).ok());
  EXPECT_EQ(store->delete_alert_rule(b.value()).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(store->list_alert_rules()->size(), 1u);
}

TEST_P(AlertStoreTest, RulesAreSeededOnlyOnce) {
  auto store = open();
  auto first = store->seed_alert_rules({"{}", "{}"}, 5);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(first.value());
  auto seeded = store->list_alert_rules();
  ASSERT_TRUE(seeded.ok());
  ASSERT_EQ(seeded->size(), 2u);
  for (const StoredAlertRule& r : seeded.value()) {
    ASSERT_TRUE(store->delete_alert_rule(r.id).ok());
  }
  store.reset();
  auto again = open()->seed_alert_rules({"{}"}, 6);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());  // an admin who deleted every rule keeps none
  EXPECT_TRUE(open()->list_alert_rules()->empty());
}

TEST_P(AlertStoreTest, AlertsKeepEveryTransitionWithItsValue) {
  auto store = open();
  StoredAlert a = alert(7, "user:ann", "pending");
  auto id = store->save_alert(a, {});
  ASSERT_TRUE(id.ok()) << id.status().message();
  a.id = id.value();
  a.state = "firing";
  a.value = 13.25;
  a.updated_at_ms = 2000;
  ASSERT_TRUE(store->save_alert(a, {{"firing", 13.25, 2000}}).ok());
  a.ack_by = "root";
  a.ack_at_ms = 2500;
  a.ack_note = "looking";
  a.silenced_until_ms = 9000;
  ASSERT_TRUE(store->save_alert(a, {}).ok());
  a.state = "resolved";
  a.value = 0.5;
  a.updated_at_ms = 3000;
  ASSERT_TRUE(store->save_alert(a, {{"resolved", 0.5, 3000}}).ok());
  store.reset();

  auto found = open()->find_alert(a.id);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found->has_value());
  const StoredAlert& f = *found.value();
  EXPECT_EQ(f.rule_id, 7u);
  EXPECT_EQ(f.rule_name, "rule 7");
  EXPECT_EQ(f.scope, "user:ann");
  EXPECT_EQ(f.state, "resolved");
  EXPECT_DOUBLE_EQ(f.value, 0.5);
  EXPECT_DOUBLE_EQ(f.threshold, 10);
  EXPECT_EQ(f.started_at_ms, 1000);
  EXPECT_EQ(f.updated_at_ms, 3000);
  EXPECT_EQ(f.ack_by, "root");
  EXPECT_EQ(f.ack_at_ms, 2500);
  EXPECT_EQ(f.ack_note, "looking");
  EXPECT_EQ(f.silenced_until_ms, 9000);
  ASSERT_EQ(f.transitions.size(), 3u);
  EXPECT_EQ(f.transitions[0].state, "pending");
  EXPECT_DOUBLE_EQ(f.transitions[0].value, 12.5);
  EXPECT_EQ(f.transitions[1].state, "firing");
  EXPECT_DOUBLE_EQ(f.transitions[1].value, 13.25);
  EXPECT_EQ(f.transitions[1].at_ms, 2000);
  EXPECT_EQ(f.transitions[2].state, "resolved");
  EXPECT_EQ(f.transitions[2].at_ms, 3000);

  EXPECT_FALSE(open()->find_alert(a.id + 100).value().has_value());
  StoredAlert missing = alert(7, "global", "firing");
  missing.id = a.id + 100;
  EXPECT_EQ(open()->save_alert(missing, {}).status().code(), core::StatusCode::kNotFound);
}

TEST_P(AlertStoreTest, ABatchWritesEveryInsertAndUpdateWithTheirTransitions) {
  auto store = open();
  const uint64_t kept = store->save_alert(alert(1, "user:kept", "pending"), {}).value();
  StoredAlert moved = alert(1, "user:moved", "pending");
  moved.id = store->save_alert(moved, {}).value();
  moved.state = "firing";
  moved.value = 0.1 + 0.2;  // a double that text would round
  moved.updated_at_ms = 2000;
  moved.ack_by = "o'brien {\"x\"}";
  moved.ack_at_ms = 1500;
  std::vector<AlertChange> batch = {{moved, {{"firing", 0.1 + 0.2, 2000}}}};
  for (int i = 0; i < 300; ++i) {
    StoredAlert a = alert(2, "user:u" + std::to_string(i), "pending");
    a.transitions.push_back({"firing", 40.0 + i, 2000});
    a.state = "firing";
    batch.push_back({a, {}});
  }
  auto ids = store->save_alerts(batch);
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  ASSERT_EQ(ids->size(), batch.size());
  EXPECT_EQ(ids.value()[0], moved.id);
  for (size_t i = 2; i < ids->size(); ++i) EXPECT_LT(ids.value()[i - 1], ids.value()[i]);
  EXPECT_GT(ids.value()[1], moved.id);
  store.reset();

  store = open();
  auto found = store->find_alert(moved.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  const StoredAlert& m = *found.value();
  EXPECT_EQ(m.state, "firing");
  EXPECT_EQ(m.value, 0.1 + 0.2);
  EXPECT_EQ(m.ack_by, "o'brien {\"x\"}");
  EXPECT_EQ(m.ack_at_ms, 1500);
  EXPECT_EQ(m.silenced_until_ms, std::nullopt);
  ASSERT_EQ(m.transitions.size(), 2u);
  EXPECT_EQ(m.transitions[1].state, "firing");
  EXPECT_EQ(m.transitions[1].value, 0.1 + 0.2);
  EXPECT_EQ(store->find_alert(kept).value()->state, "pending");

  AlertFilter rule2;
  rule2.rule_id = 2;
  rule2.limit = 1000;
  auto rows = store->list_alerts(rule2);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 300u);
  const StoredAlert& last = rows->front();  // newest first: the batch's last
  EXPECT_EQ(last.id, ids->back());
  EXPECT_EQ(last.scope, "user:u299");
  EXPECT_EQ(last.state, "firing");
  EXPECT_EQ(last.threshold, 10);
  ASSERT_EQ(last.transitions.size(), 2u);
  EXPECT_EQ(last.transitions[0].state, "pending");
  EXPECT_EQ(last.transitions[1].state, "firing");
  EXPECT_EQ(last.transitions[1].value, 339);
}

TEST_P(AlertStoreTest, AFailingBatchLeavesNothingWritten) {
  auto store = open();
  StoredAlert open_one = alert(1, "user:ann", "pending");
  open_one.id = store->save_alert(open_one, {}).value();
  StoredAlert fired = open_one;
  fired.state = "firing";
  StoredAlert missing = alert(1, "user:gone", "firing");
  missing.id = open_one.id + 100;
  // New rows and an update come first; the update of a row that is not there fails the lot.
  std::vector<AlertChange> batch = {{alert(1, "user:bob", "firing"), {}},
                                    {fired, {{"firing", 12.5, 2000}}},
                                    {alert(1, "user:cy", "firing"), {}},
                                    {missing, {{"resolved", 0, 2000}}}};
  auto ids = store->save_alerts(batch);
  EXPECT_EQ(ids.status().code(), core::StatusCode::kNotFound);
  store.reset();

  store = open();
  AlertFilter all;
  auto rows = store->list_alerts(all);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().id, open_one.id);
  EXPECT_EQ(rows->front().state, "pending");
  EXPECT_EQ(rows->front().transitions.size(), 1u);
  // The store takes the next batch as if nothing had happened.
  batch.pop_back();
  auto again = store->save_alerts(batch);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(store->list_alerts(all)->size(), 3u);
}

TEST_P(AlertStoreTest, AlertsAreFilteredAndPagedNewestFirst) {
  auto store = open();
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    StoredAlert a =
        alert(i % 2 == 0 ? 1 : 2, "type:t" + std::to_string(i), i < 3 ? "firing" : "resolved");
    if (i == 4) a.severity = "critical";
    ids.push_back(store->save_alert(a, {}).value());
  }
  AlertFilter firing;
  firing.state = "firing";
  auto rows = store->list_alerts(firing);
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ(rows.value()[0].id, ids[2]);
  EXPECT_EQ(rows.value()[0].transitions.size(), 1u);

  AlertFilter by_rule;
  by_rule.rule_id = 1;
  EXPECT_EQ(store->list_alerts(by_rule)->size(), 3u);
  AlertFilter critical;
  critical.severity = "critical";
  ASSERT_EQ(store->list_alerts(critical)->size(), 1u);
  EXPECT_EQ(store->list_alerts(critical).value()[0].id, ids[4]);

  AlertFilter page;
  page.limit = 2;
  std::vector<uint64_t> seen;
  for (;;) {
    auto got = store->list_alerts(page);
    ASSERT_TRUE(got.ok());
    for (const StoredAlert& a : got.value()) seen.push_back(a.id);
    if (got->size() < page.limit) break;
    page.before_id = got->back().id;
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
}

}  // namespace
}  // namespace gaia::store
