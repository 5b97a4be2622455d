#pragma once
// AlertStore: the store's role for alert rules and the alerts they raise, with each alert's
// state transitions. Synchronous and durable when a call returns. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

// An alert rule an admin manages, as the JSON of alerts/rule_json.h (without its id).
struct StoredAlertRule {
  uint64_t id = 0;
  std::string body;
  int64_t updated_at_ms = 0;
};

// One state an alert entered ("pending", "firing", "resolved") with the metric's value then.
struct AlertTransition {
  std::string state;
  double value = 0;
  int64_t at_ms = 0;
};

// An alert: one rule's condition holding for one scope ("global", "user:ann", "type:shell").
struct StoredAlert {
  uint64_t id = 0;  // assigned by the store; 0 until then
  uint64_t rule_id = 0;
  std::string rule_name;
  std::string metric;
  std::string scope;
  std::string severity;
  std::string state;  // pending | firing | resolved
  double value = 0;
  double threshold = 0;
  int64_t started_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::string ack_by;  // set with ack_at_ms when acknowledged
  std::optional<int64_t> ack_at_ms;
  std::string ack_note;
  std::optional<int64_t> silenced_until_ms;
  std::vector<AlertTransition> transitions;  // oldest first
};

// One alert to write: inserted when alert.id is 0 (its transitions with it), otherwise the
// update of the row with that id, appending `added` to its transitions.
struct AlertChange {
  StoredAlert alert;
  std::vector<AlertTransition> added;
};

// Which alerts to list: every set field must match; newest first, at most `limit`, only ids
// below `before_id` when set.
struct AlertFilter {
  std::optional<std::string> state = std::nullopt;
  std::optional<std::string> severity = std::nullopt;
  std::optional<uint64_t> rule_id = std::nullopt;
  std::optional<uint64_t> before_id = std::nullopt;
  size_t limit = 100;
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // Alert rules, by id. add_alert_rule assigns the id; put_alert_rule replaces the body of
  // an existing rule and delete_alert_rule removes one, both kNotFound when there is none.
  // seed_alert_rules stores `bodies` only the very first time it is called on this database
  // (as PatternStore::seed_patterns); true when it stored them.
  virtual Result<std::vector<StoredAlertRule>> list_alert_rules() = 0;
  virtual Result<uint64_t> add_alert_rule(std::string_view body, int64_t now_ms) = 0;
  virtual Status put_alert_rule(const StoredAlertRule& rule) = 0;
  virtual Status delete_alert_rule(uint64_t id) = 0;
  virtual Result<bool> seed_alert_rules(const std::vector<std::string>& bodies, int64_t now_ms) = 0;

  // Alerts. save_alerts writes every change, in one transaction: either all of them are
  // stored and the answer holds each alert's id in the order of `changes`, or none is (an
  // update of an id that is not there fails the whole batch with kNotFound). One transaction
  // per call, however many alerts: an evaluation round writes all its changes with one call.
  // REQUIRES: no alert id (other than 0) appears twice in `changes`.
  virtual Result<std::vector<uint64_t>> save_alerts(const std::vector<AlertChange>& changes) = 0;
  // save_alerts of the one change {alert, added}; answers the alert's id.
  Result<uint64_t> save_alert(const StoredAlert& alert, const std::vector<AlertTransition>& added) {
    auto ids = save_alerts({{alert, added}});
    if (!ids.ok()) return ids.status();
    return ids->front();
  }
  // With their transitions, oldest first.
  virtual Result<std::vector<StoredAlert>> list_alerts(const AlertFilter& filter) = 0;
  virtual Result<std::optional<StoredAlert>> find_alert(uint64_t id) = 0;
};

namespace detail {

// Passes every AlertStore call to Base's forward_to<AlertStore>() (see detail/roles.h).
template <class Base>
class ForwardAlertStore : public Base {
 public:
  using Base::Base;
  Result<std::vector<StoredAlertRule>> list_alert_rules() override {
    return to().list_alert_rules();
  }
  Result<uint64_t> add_alert_rule(std::string_view body, int64_t now_ms) override {
    return to().add_alert_rule(body, now_ms);
  }
  Status put_alert_rule(const StoredAlertRule& rule) override { return to().put_alert_rule(rule); }
  Status delete_alert_rule(uint64_t id) override { return to().delete_alert_rule(id); }
  Result<bool> seed_alert_rules(const std::vector<std::string>& bodies, int64_t now_ms) override {
    return to().seed_alert_rules(bodies, now_ms);
  }
  Result<std::vector<uint64_t>> save_alerts(const std::vector<AlertChange>& changes) override {
    return to().save_alerts(changes);
  }
  Result<std::vector<StoredAlert>> list_alerts(const AlertFilter& filter) override {
    return to().list_alerts(filter);
  }
  Result<std::optional<StoredAlert>> find_alert(uint64_t id) override {
    return to().find_alert(id);
  }

 private:
  AlertStore& to() { return this->template forward_to<AlertStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
