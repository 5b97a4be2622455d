#include "alerts/evaluator.h"

#include <algorithm>
#include <boost/json.hpp>

#include "alerts/rule_json.h"

namespace gaia::alerts {
namespace {

using core::Result;
using core::Status;

constexpr std::string_view kPending = "pending";
constexpr std::string_view kFiring = "firing";
constexpr std::string_view kResolved = "resolved";

std::string rule_body(const AlertRule& rule) {
  boost::json::object o = rule_to_json(rule);
  o.erase("id");
  return boost::json::serialize(o);
}

Result<AlertRule> rule_of(const store::StoredAlertRule& stored) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(stored.body, ec);
  if (ec) return Status::internal("alert rule " + std::to_string(stored.id) + ": not JSON");
  auto rule = rule_from_json(v);
  if (!rule.ok()) {
    return Status::internal("alert rule " + std::to_string(stored.id) + ": " +
                            rule.status().message());
  }
  rule->id = stored.id;
  return rule;
}

}  // namespace

Evaluator::Evaluator(store::AlertStore& store, MetricSource& metrics, const core::Clock& clock,
                     EvaluatorOptions options)
    : store_(store),
      metrics_(metrics),
      clock_(clock),
      options_(options),
      rules_(std::make_shared<const std::vector<AlertRule>>()) {}

Evaluator::~Evaluator() { stop(); }

void Evaluator::add_channel(std::string name, Notifier& notifier) {
  channels_[std::move(name)] = &notifier;
}

Status Evaluator::load(const std::vector<AlertRule>& defaults) {
  const core::Instant now = clock_.now();
  std::vector<std::string> bodies;
  for (const AlertRule& rule : defaults) bodies.push_back(rule_body(rule));
  if (auto seeded = store_.seed_alert_rules(bodies, core::to_ms(now.wall)); !seeded.ok()) {
    return seeded.status();
  }
  auto stored = store_.list_alert_rules();
  if (!stored.ok()) return stored.status();
  auto rules = std::make_shared<std::vector<AlertRule>>();
  for (const store::StoredAlertRule& s : stored.value()) {
    auto rule = rule_of(s);
    if (!rule.ok()) return rule.status();
    rules->push_back(std::move(rule.value()));
  }
  std::map<Key, Open> open;
  for (std::string_view state : {kPending, kFiring}) {
    store::AlertFilter filter;
    filter.state = std::string(state);
    filter.limit = 100'000;
    auto alerts = store_.list_alerts(filter);
    if (!alerts.ok()) return alerts.status();
    for (store::StoredAlert& a : alerts.value()) {
      Open o;
      o.since = now.mono;  // the condition must hold `for` again after a restart
      o.notified = a.state == kFiring;
      for (const AlertRule& r : *rules) {
        if (r.id == a.rule_id) o.channels = r.channels;
      }
      Key key{a.rule_id, a.scope};
      o.alert = std::move(a);
      open.insert_or_assign(std::move(key), std::move(o));
    }
  }
  core::MutexLock lock(mu_);
  rules_ = std::move(rules);
  open_ = std::move(open);
  return {};
}

Status Evaluator::reload_rules() {
  core::MutexLock lock(mu_);  // as the changes above: a store read under the rule lock
  auto stored = store_.list_alert_rules();
  if (!stored.ok()) return stored.status();
  auto rules = std::make_shared<std::vector<AlertRule>>();
  for (const store::StoredAlertRule& s : stored.value()) {
    auto rule = rule_of(s);
    if (!rule.ok()) return rule.status();
    rules->push_back(std::move(rule.value()));
  }
  for (auto& [key, open] : open_) {
    for (const AlertRule& r : *rules) {
      if (r.id == key.first) open.channels = r.channels;
    }
  }
  rules_ = std::move(rules);
  return {};
}

std::vector<AlertRule> Evaluator::rules() const {
  core::MutexLock lock(mu_);
  return *rules_;
}

std::optional<AlertRule> Evaluator::find_rule(uint64_t id) const {
  core::MutexLock lock(mu_);
  for (const AlertRule& r : *rules_) {
    if (r.id == id) return r;
  }
  return std::nullopt;
}

Result<AlertRule> Evaluator::create_rule(AlertRule rule) {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  core::MutexLock lock(mu_);
  auto id = store_.add_alert_rule(rule_body(rule), now_ms);
  if (!id.ok()) return id.status();
  rule.id = id.value();
  auto next = std::make_shared<std::vector<AlertRule>>(*rules_);
  next->push_back(rule);
  rules_ = std::move(next);
  return rule;
}

Result<AlertRule> Evaluator::replace_rule(uint64_t id, AlertRule rule) {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  core::MutexLock lock(mu_);
  rule.id = id;
  auto next = std::make_shared<std::vector<AlertRule>>(*rules_);
  auto it =
      std::find_if(next->begin(), next->end(), [&](const AlertRule& r) { return r.id == id; });
  if (it == next->end()) return Status::not_found("no alert rule " + std::to_string(id));
  if (Status s = store_.put_alert_rule({id, rule_body(rule), now_ms}); !s.ok()) return s;
  *it = rule;
  rules_ = std::move(next);
  for (auto& [key, open] : open_) {
    if (key.first == id) open.channels = rule.channels;
  }
  return rule;
}

Status Evaluator::delete_rule(uint64_t id) {
  core::MutexLock lock(mu_);
  auto next = std::make_shared<std::vector<AlertRule>>(*rules_);
  auto it =
      std::find_if(next->begin(), next->end(), [&](const AlertRule& r) { return r.id == id; });
  if (it == next->end()) return Status::not_found("no alert rule " + std::to_string(id));
  if (Status s = store_.delete_alert_rule(id); !s.ok()) return s;
  next->erase(it);
  rules_ = std::move(next);
  return {};
}

void Evaluator::evaluate() {
  core::MutexLock round(round_mu_);
  std::shared_ptr<const std::vector<AlertRule>> rules;
  {
    core::MutexLock lock(mu_);
    rules = rules_;
  }
  // Each (metric, scope kind) is read once per round, outside the lock.
  std::map<std::pair<std::string_view, ScopeKind>, Reading> readings;
  for (const AlertRule& rule : *rules) {
    if (!rule.enabled) continue;
    auto [it, fresh] = readings.try_emplace({rule.metric, rule.scope.kind});
    if (!fresh) continue;
    metrics_.read(rule.metric, rule.scope.kind, it->second.samples);
    it->second.known = rule.scope.kind != ScopeKind::kGlobal || !it->second.samples.empty();
  }
  const core::Instant now = clock_.now();
  const int64_t now_ms = core::to_ms(now.wall);
  core::MutexLock lock(mu_);
  for (auto& [key, open] : open_) open.seen = false;
  std::map<uint64_t, const AlertRule*> live;  // enabled rules whose figures were read
  for (const AlertRule& rule : *rules) {
    if (!rule.enabled) continue;
    const Reading& reading = readings.at({rule.metric, rule.scope.kind});
    live[rule.id] = &rule;
    apply(rule, reading, now);
  }
  // What is still open and was not dealt with: its figure is gone (counts as 0), or its rule
  // was deleted or disabled.
  for (const auto& [key, open] : open_) {
    if (open.seen) continue;
    auto rule = live.find(key.first);
    resolve(key, open, rule == live.end() ? open.alert.value : 0, now_ms);
  }
  // The write happens under mu_, not after it: acknowledge() and silence() save the whole row
  // (state and all) under mu_, so a round written after releasing it could overwrite an
  // acknowledgement made meanwhile with its own older copy of the row, or let one land on a
  // row the round is about to move on. Under mu_ each ack or silence comes wholly before the
  // round (the round's copies carry it) or wholly after (it updates the stored result), and
  // the wait is one transaction, however many alerts changed.
  write_planned(now_ms);
  // Cooldowns and silences that can no longer matter.
  std::erase_if(last_fired_ms_,
                [&](const auto& e) { return now_ms - e.second > kMaxRuleSeconds * 1000; });
  std::erase_if(silenced_until_, [&](const auto& e) { return e.second <= now_ms; });
  tell_groups(now_ms);
  ++rounds_;
}

void Evaluator::apply(const AlertRule& rule, const Reading& reading, core::Instant now) {
  const int64_t now_ms = core::to_ms(now.wall);
  if (!reading.known) {
    // An unknown global figure: leave this rule's alerts as they are.
    for (auto& [key, open] : open_) {
      if (key.first == rule.id) open.seen = true;
    }
    return;
  }
  for (const Sample& sample : reading.samples) {
    if (!rule.scope.value.empty() && sample.key != rule.scope.value) continue;
    const std::string label = scope_label(rule.scope.kind, sample.key);
    if (holds(rule.condition, sample.value, rule.threshold)) {
      hold(rule, label, sample.value, now);
      continue;
    }
    auto it = open_.find(Key{rule.id, label});
    if (it != open_.end()) {
      it->second.seen = true;
      resolve(it->first, it->second, sample.value, now_ms);
    }
  }
}

void Evaluator::hold(const AlertRule& rule, const std::string& label, double value,
                     core::Instant now) {
  const int64_t now_ms = core::to_ms(now.wall);
  Key key{rule.id, label};
  auto it = open_.find(key);
  if (it == open_.end()) {
    Open o;
    o.since = now.mono;
    o.channels = rule.channels;
    store::StoredAlert& a = o.alert;
    a.rule_id = rule.id;
    a.rule_name = rule.name;
    a.metric = rule.metric;
    a.scope = label;
    a.severity = std::string(severity_name(rule.severity));
    a.state = std::string(kPending);
    a.value = value;
    a.threshold = rule.threshold;
    a.started_at_ms = now_ms;
    a.updated_at_ms = now_ms;
    if (auto s = silenced_until_.find(key); s != silenced_until_.end() && s->second > now_ms) {
      a.silenced_until_ms = s->second;
    }
    a.transitions.push_back({a.state, value, now_ms});
    if (rule.for_duration.count() == 0) {
      a.state = std::string(kFiring);
      a.transitions.push_back({a.state, value, now_ms});
    }
    o.seen = true;
    store::AlertChange row{std::move(o.alert), {}};
    planned_.push_back({Step::kOpen, std::move(key), std::move(row), std::move(o)});
    return;
  }
  Open& o = it->second;
  o.seen = true;
  o.alert.value = value;
  o.alert.updated_at_ms = now_ms;
  o.alert.threshold = rule.threshold;
  if (o.alert.state == kPending && now.mono - o.since >= rule.for_duration) {
    store::StoredAlert next = o.alert;
    next.state = std::string(kFiring);
    planned_.push_back(
        {Step::kFire, key, {std::move(next), {{std::string(kFiring), value, now_ms}}}, {}});
  }
}

void Evaluator::fire(const Key& key, Open& open, int64_t now_ms) {
  const AlertRule* rule = nullptr;
  for (const AlertRule& r : *rules_) {
    if (r.id == key.first) rule = &r;
  }
  const bool silenced = open.alert.silenced_until_ms && *open.alert.silenced_until_ms > now_ms;
  auto last = last_fired_ms_.find(key);
  const bool cooling = rule != nullptr && last != last_fired_ms_.end() &&
                       now_ms - last->second < rule->cooldown.count() * 1000;
  if (silenced || cooling) return;
  last_fired_ms_[key] = now_ms;
  open.notified = true;
  gather(open.channels, open.alert, AlertEvent::kFiring);
}

void Evaluator::resolve(const Key& key, const Open& open, double value, int64_t now_ms) {
  store::StoredAlert done = open.alert;
  done.state = std::string(kResolved);
  done.value = value;
  done.updated_at_ms = now_ms;
  planned_.push_back(
      {Step::kResolve, key, {std::move(done), {{std::string(kResolved), value, now_ms}}}, {}});
}

void Evaluator::write_planned(int64_t now_ms) {
  if (planned_.empty()) return;
  std::vector<store::AlertChange> rows;
  rows.reserve(planned_.size());
  for (const Planned& p : planned_) rows.push_back(p.row);
  auto ids = store_.save_alerts(rows);
  if (!ids.ok()) {
    // Nothing moves: alerts not opened open next round if their condition still holds,
    // pending ones fire then, open ones resolve then (as a single failed write always did).
    last_error_ = ids.status().message();
    planned_.clear();
    return;
  }
  for (size_t i = 0; i < planned_.size(); ++i) {
    Planned& p = planned_[i];
    store::StoredAlert& alert = p.row.alert;
    alert.id = ids.value()[i];
    for (store::AlertTransition& t : p.row.added) alert.transitions.push_back(std::move(t));
    switch (p.step) {
      case Step::kOpen: {
        p.opened.alert = std::move(alert);
        auto [placed, fresh] = open_.emplace(p.key, std::move(p.opened));
        if (placed->second.alert.state == kFiring) fire(p.key, placed->second, now_ms);
        break;
      }
      case Step::kFire: {
        Open& o = open_.at(p.key);
        o.alert = std::move(alert);
        fire(p.key, o, now_ms);
        break;
      }
      case Step::kResolve: {
        const Open& o = open_.at(p.key);
        if (alert.silenced_until_ms && *alert.silenced_until_ms > now_ms) {
          silenced_until_[p.key] = *alert.silenced_until_ms;
        } else if (o.alert.state == kFiring && o.notified) {
          gather(o.channels, alert, AlertEvent::kResolved);
        }
        open_.erase(p.key);
        break;
      }
    }
  }
  planned_.clear();
}

bool Evaluator::save(store::StoredAlert& alert, std::vector<store::AlertTransition> added) {
  auto id = store_.save_alert(alert, added);
  if (!id.ok()) {
    last_error_ = id.status().message();
    return false;
  }
  alert.id = id.value();
  for (store::AlertTransition& t : added) alert.transitions.push_back(std::move(t));
  return true;
}

void Evaluator::gather(const std::vector<std::string>& channels, const store::StoredAlert& alert,
                       AlertEvent event) {
  Outgoing& out = outgoing_[{alert.rule_id, event}];
  AlertGroup& g = out.group;
  if (g.alerts.empty()) {
    // The alert's copy of its rule: a deleted rule's last alerts still name it.
    out.channels = channels;
    g.event = event;
    g.rule_id = alert.rule_id;
    g.rule_name = alert.rule_name;
    g.metric = alert.metric;
    g.severity = alert.severity;
    g.threshold = alert.threshold;
  }
  g.alerts.push_back({alert.id, alert.scope, alert.value, alert.started_at_ms});
}

void Evaluator::tell_groups(int64_t now_ms) {
  if (outgoing_.empty()) return;
  std::map<uint64_t, size_t> firing;  // rule id -> its alerts firing now
  for (const auto& [key, open] : open_) {
    if (open.alert.state == kFiring) ++firing[key.first];
  }
  for (auto& [key, out] : outgoing_) {
    AlertGroup& g = out.group;
    g.at_ms = now_ms;
    g.firing = firing[g.rule_id];
    // Furthest past the threshold first: the highest values of a ">" rule, the lowest of a
    // "<" rule; then by scope, so a group reads the same every time.
    bool low_is_worse = false;
    for (const AlertRule& r : *rules_) {
      if (r.id == g.rule_id) {
        low_is_worse = r.condition == Condition::kLess || r.condition == Condition::kLessEqual;
      }
    }
    std::sort(g.alerts.begin(), g.alerts.end(), [&](const GroupedAlert& a, const GroupedAlert& b) {
      if (a.value != b.value) return low_is_worse ? a.value < b.value : a.value > b.value;
      return a.scope < b.scope;
    });
    for (const std::string& name : out.channels) {
      auto it = channels_.find(name);
      if (it != channels_.end()) it->second->notify(g);
    }
  }
  outgoing_.clear();
}

Result<store::StoredAlert> Evaluator::acknowledge(uint64_t id, std::string by, std::string note) {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  core::MutexLock lock(mu_);
  for (auto& [key, open] : open_) {
    if (open.alert.id != id) continue;
    store::StoredAlert next = open.alert;
    next.ack_by = std::move(by);
    next.ack_at_ms = now_ms;
    next.ack_note = std::move(note);
    if (!save(next, {})) return Status::unavailable(last_error_);
    open.alert = next;
    return next;
  }
  auto found = store_.find_alert(id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::not_found("no alert " + std::to_string(id));
  store::StoredAlert a = std::move(*found.value());
  a.ack_by = std::move(by);
  a.ack_at_ms = now_ms;
  a.ack_note = std::move(note);
  if (auto saved = store_.save_alert(a, {}); !saved.ok()) return saved.status();
  return a;
}

Result<store::StoredAlert> Evaluator::silence(uint64_t id, int64_t until_ms) {
  const int64_t now_ms = core::to_ms(clock_.now().wall);
  const std::optional<int64_t> until =
      until_ms > now_ms ? std::optional<int64_t>(until_ms) : std::nullopt;
  core::MutexLock lock(mu_);
  for (auto& [key, open] : open_) {
    if (open.alert.id != id) continue;
    store::StoredAlert next = open.alert;
    next.silenced_until_ms = until;
    if (!save(next, {})) return Status::unavailable(last_error_);
    open.alert = next;
    if (!until) silenced_until_.erase(key);
    return next;
  }
  auto found = store_.find_alert(id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::not_found("no alert " + std::to_string(id));
  store::StoredAlert a = std::move(*found.value());
  a.silenced_until_ms = until;
  if (auto saved = store_.save_alert(a, {}); !saved.ok()) return saved.status();
  // The next alert of the same (rule, scope) starts silenced while this silence runs.
  const Key key{a.rule_id, a.scope};
  if (until) {
    silenced_until_[key] = *until;
  } else {
    silenced_until_.erase(key);
  }
  return a;
}

void Evaluator::overlay(store::StoredAlert& alert) const {
  core::MutexLock lock(mu_);
  auto it = open_.find(Key{alert.rule_id, alert.scope});
  if (it == open_.end() || it->second.alert.id != alert.id) return;
  alert.value = it->second.alert.value;
  alert.updated_at_ms = it->second.alert.updated_at_ms;
}

EvaluatorSummary Evaluator::summary() const {
  core::MutexLock lock(mu_);
  EvaluatorSummary s;
  s.rules = rules_->size();
  for (const AlertRule& r : *rules_) s.enabled_rules += r.enabled ? 1 : 0;
  for (const auto& [key, open] : open_) {
    if (open.alert.state == kFiring) {
      ++s.firing;
    } else {
      ++s.pending;
    }
  }
  s.rounds = rounds_;
  s.last_error = last_error_;
  return s;
}

void Evaluator::start() {
  core::MutexLock lock(timer_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Evaluator::stop() {
  {
    core::MutexLock lock(timer_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Evaluator::run() {
  core::MutexLock lock(timer_mu_);
  while (!stopping_) {
    if (wake_.wait_for(timer_mu_, options_.interval,
                       [this]() REQUIRES(timer_mu_) { return stopping_; }))
      break;
    lock.unlock();
    evaluate();
    lock.lock();
  }
}

}  // namespace gaia::alerts
