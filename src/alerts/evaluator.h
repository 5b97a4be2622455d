#pragma once
// Evaluator: holds the alert rules and the open alerts, and once per round (a timer of its
// own, default every 10 s; never the request path) reads each enabled rule's metric and moves
// each (rule, scope) through its states:
//   condition holds, no alert open      → a new alert, "pending" (straight to "firing" when
//                                          the rule's `for` is 0)
//   pending, held for `for`             → "firing": the rule's channels are told, unless the
//                                          alert is silenced or the same (rule, scope) fired
//                                          within the rule's cooldown (a flapping condition)
//   condition no longer holds           → "resolved" (channels told if they heard it fire)
//   the rule deleted or disabled        → its open alerts resolve at the next round
// Every transition is stored with the metric's value: a round plans all its alerts' changes,
// writes them in one store transaction (store::AlertStore::save_alerts), and only then moves
// the alerts and tells the channels, so a round where a thousand alerts change costs one
// commit, not a thousand. A rule
// scoped per user or per type yields one alert per offending user / type. A global figure
// that is unknown this round (no sample) leaves the rule's alerts as they are.
// Channels are told once per round per rule and event: the alerts of a rule that fired this
// round make one AlertGroup, those that resolved another (alerts/alert_group.h), so a
// thousand users tripping one rule together are one notification listing the thousand.
// Acknowledging (who, when, a note) and silencing (until a time) are kept on the alert; a
// silence also covers the next alert of the same (rule, scope) while it runs.
//
// Rules are kept in the store and take effect at the next round, without a restart.
//
// Threads: every method from any thread. evaluate() rounds never overlap; metrics are read
// outside the lock that the admin calls take, the round's one store batch and its
// notifications inside it (notifiers must not block; see notifier.h).
//
// Example:
//   Evaluator evaluator(store, metrics, clock, {});
//   evaluator.add_channel("log", log_notifier);
//   if (auto s = evaluator.load(default_rules()); !s.ok()) ...;
//   evaluator.start();  // ... evaluator.stop();

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alerts/metric_source.h"
#include "alerts/notifier.h"
#include "alerts/rule.h"
#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "store/alert_store.h"

namespace gaia::alerts {

struct EvaluatorOptions {
  std::chrono::milliseconds interval{10'000};  // GAIA_ALERT_INTERVAL_S
};

// Counts for /health and the dashboard.
struct EvaluatorSummary {
  size_t rules = 0;
  size_t enabled_rules = 0;
  size_t pending = 0;
  size_t firing = 0;
  uint64_t rounds = 0;
  std::string last_error;  // the last store failure of a round, or empty
};

class Evaluator {
 public:
  // `store`, `metrics` and `clock` must outlive the evaluator.
  Evaluator(store::AlertStore& store, MetricSource& metrics, const core::Clock& clock,
            EvaluatorOptions options);
  ~Evaluator();  // stops the timer
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Registers a channel rules may name. Before load()/start(); `notifier` must outlive the
  // evaluator. A rule naming a channel that was never added simply skips it.
  void add_channel(std::string name, Notifier& notifier);

  // Stores `defaults` if this database never had alert rules (an admin who deleted them all
  // keeps none), then loads the rules and the alerts still pending or firing.
  core::Status load(const std::vector<AlertRule>& defaults);

  // Reads the stored rules again (another node changed them), effective from the next
  // round; on failure the rules stay as they were.
  core::Status reload_rules();

  // The rules, by id.
  std::vector<AlertRule> rules() const;
  std::optional<AlertRule> find_rule(uint64_t id) const;
  // Stored first; effective from the next round. kNotFound for an unknown id; a store failure
  // leaves the rules as they were.
  core::Result<AlertRule> create_rule(AlertRule rule);
  core::Result<AlertRule> replace_rule(uint64_t id, AlertRule rule);
  core::Status delete_rule(uint64_t id);

  // One round at the clock's current time (the timer calls it; tests call it directly).
  void evaluate();

  // Acknowledges / silences alert `id` (open or not). kNotFound for an unknown id. A silence
  // ending at or before now lifts it.
  core::Result<store::StoredAlert> acknowledge(uint64_t id, std::string by, std::string note);
  core::Result<store::StoredAlert> silence(uint64_t id, int64_t until_ms);

  // Replaces a stored open alert's value and time with the latest round's (stored rows carry
  // the value of their last transition).
  void overlay(store::StoredAlert& alert) const;

  EvaluatorSummary summary() const;

  // The timer: a round every options.interval on a thread of its own, until stop().
  void start();
  void stop();

 private:
  using Key = std::pair<uint64_t, std::string>;  // (rule id, scope label)
  struct Open {
    store::StoredAlert alert;
    core::MonoTime since;  // when the condition began to hold
    std::vector<std::string> channels;
    bool notified = false;  // its firing was told to the channels
    bool seen = false;      // this round: the condition held, or the alert was dealt with
  };
  // A group being gathered this round and the channels that will hear it.
  struct Outgoing {
    AlertGroup group;
    std::vector<std::string> channels;
  };
  // One alert's change planned this round: opened (kOpen), pending → firing (kFire) or
  // resolved (kResolve). The round stores every planned row in one batch and applies them
  // to open_ only once that batch is stored.
  enum class Step { kOpen, kFire, kResolve };
  struct Planned {
    Step step;
    Key key;
    store::AlertChange row;  // the alert as it will be stored, and the transitions it adds
    Open opened;             // kOpen: the alert's entry (its alert is `row.alert`)
  };
  struct Reading {
    bool known = false;  // a global figure was there
    std::vector<Sample> samples;
  };

  void apply(const AlertRule& rule, const Reading& reading, core::Instant now) REQUIRES(mu_);
  void hold(const AlertRule& rule, const std::string& label, double value, core::Instant now)
      REQUIRES(mu_);
  void fire(const Key& key, Open& open, int64_t now_ms) REQUIRES(mu_);
  // Plans resolving `open`, the alert at `key`, with the metric's `value`.
  void resolve(const Key& key, const Open& open, double value, int64_t now_ms) REQUIRES(mu_);
  // Stores the round's planned changes in one batch, then applies them (opens, fires and
  // resolves, gathering what the channels will hear). A store failure applies none: each is
  // planned again next round, and last_error_ says why.
  void write_planned(int64_t now_ms) REQUIRES(mu_);
  bool save(store::StoredAlert& alert, std::vector<store::AlertTransition> added) REQUIRES(mu_);
  // Adds `alert` to this round's group of its rule and `event`.
  void gather(const std::vector<std::string>& channels, const store::StoredAlert& alert,
              AlertEvent event) REQUIRES(mu_);
  // Tells each group gathered this round to its channels, then forgets them.
  void tell_groups(int64_t now_ms) REQUIRES(mu_);
  void run();

  store::AlertStore& store_;
  MetricSource& metrics_;
  const core::Clock& clock_;
  const EvaluatorOptions options_;
  std::map<std::string, Notifier*, std::less<>> channels_;

  core::Mutex round_mu_;  // one round at a time
  mutable core::Mutex mu_;
  std::shared_ptr<const std::vector<AlertRule>> rules_ GUARDED_BY(mu_);
  std::map<Key, Open> open_ GUARDED_BY(mu_);
  std::map<Key, int64_t> last_fired_ms_ GUARDED_BY(mu_);   // cooldowns
  std::map<Key, int64_t> silenced_until_ GUARDED_BY(mu_);  // silences that outlive an alert
  std::map<std::pair<uint64_t, AlertEvent>, Outgoing> outgoing_ GUARDED_BY(mu_);  // this round
  std::vector<Planned> planned_ GUARDED_BY(mu_);                                  // this round
  uint64_t rounds_ GUARDED_BY(mu_) = 0;
  std::string last_error_ GUARDED_BY(mu_);

  core::Mutex timer_mu_;
  core::CondVar wake_;
  bool stopping_ GUARDED_BY(timer_mu_) = false;
  std::thread thread_;
};

}  // namespace gaia::alerts
