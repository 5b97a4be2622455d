#include "reputation/reputation_book.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <vector>

#include "core/rule.h"

namespace gaia::reputation {
namespace {

using core::Status;

core::WallTime wall_of_ms(int64_t ms) { return core::WallTime(std::chrono::milliseconds(ms)); }

boost::json::array events_json(const core::Reputation& r) {
  boost::json::array events;
  for (const core::ReputationRecord& e : r.history()) {
    events.push_back({{"event", reputation_event_name(e.event)},
                      {"at_ms", core::to_ms(e.at)},
                      {"score_after", std::round(e.score_after * 1000) / 1000}});
  }
  return events;
}

std::deque<core::ReputationRecord> events_from_json(std::string_view text) {
  std::deque<core::ReputationRecord> out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const boost::json::value& item : v.get_array()) {
    const boost::json::object* o = item.if_object();
    if (o == nullptr) continue;
    const boost::json::value* name = o->if_contains("event");
    const boost::json::value* at = o->if_contains("at_ms");
    const boost::json::value* after = o->if_contains("score_after");
    if (!name || !name->is_string() || !at || !at->is_int64() || !after || !after->is_number()) {
      continue;
    }
    core::ReputationEvent event;
    if (name->get_string() == "violation") {
      event = core::ReputationEvent::kViolation;
    } else if (name->get_string() == "denied") {
      event = core::ReputationEvent::kDenied;
    } else if (name->get_string() == "clean") {
      event = core::ReputationEvent::kClean;
    } else {
      continue;
    }
    out.push_back({event, wall_of_ms(at->get_int64()), after->to_number<double>()});
  }
  return out;
}

}  // namespace

std::string_view reputation_event_name(core::ReputationEvent event) {
  switch (event) {
    case core::ReputationEvent::kViolation:
      return "violation";
    case core::ReputationEvent::kDenied:
      return "denied";
    case core::ReputationEvent::kClean:
      return "clean";
  }
  return "clean";
}

Status ReputationBook::load(store::ReputationStore& store) {
  auto rows = store.list_reputations();
  if (!rows.ok()) return rows.status();
  core::MutexLock lock(mu_);
  users_.clear();
  dirty_.clear();
  for (const store::ReputationState& s : rows.value()) {
    users_.insert_or_assign(s.user,
                            core::Reputation::restore(config_, s.score, wall_of_ms(s.updated_at_ms),
                                                      events_from_json(s.events)));
  }
  return {};
}

Status ReputationBook::flush(store::ReputationStore& store) {
  std::vector<store::ReputationState> states;
  std::set<std::string, std::less<>> flushing;
  {
    core::MutexLock lock(mu_);
    if (dirty_.empty()) return {};
    const core::WallTime now = clock_.wall_now();
    for (const std::string& user : dirty_) {
      const core::Reputation& r = users_.at(user);
      states.push_back(
          {user, r.score(now), core::to_ms(now), boost::json::serialize(events_json(r))});
    }
    flushing.swap(dirty_);
  }
  Status s = store.put_reputations(states);
  if (!s.ok()) {
    core::MutexLock lock(mu_);
    dirty_.merge(flushing);
  }
  return s;
}

void ReputationBook::mark_dirty(std::string_view user) {
  // Looked up first: emplace() would make the node, name and all, before it finds the name is
  // there, on every violation of a user already marked.
  if (!dirty_.contains(user)) dirty_.emplace(user);
}

core::Reputation& ReputationBook::entry(std::string_view user) {
  auto it = users_.find(user);
  if (it == users_.end()) {
    it = users_.emplace(std::string(user), core::Reputation(config_, clock_.wall_now())).first;
  }
  return it->second;
}

void ReputationBook::record(std::string_view user, core::ReputationEvent event) {
  core::MutexLock lock(mu_);
  entry(user).record(event, clock_.wall_now());
  mark_dirty(user);
}

void ReputationBook::reset(std::string_view user) {
  core::MutexLock lock(mu_);
  users_.insert_or_assign(std::string(user), core::Reputation(config_, clock_.wall_now()));
  mark_dirty(user);
}

double ReputationBook::score(std::string_view user) const {
  core::MutexLock lock(mu_);
  auto it = users_.find(user);
  return it == users_.end() ? config_.baseline : it->second.score(clock_.wall_now());
}

double ReputationBook::factor(std::string_view user) const {
  core::MutexLock lock(mu_);
  auto it = users_.find(user);
  if (it == users_.end())
    return core::Reputation(config_, clock_.wall_now()).factor(clock_.wall_now());
  return it->second.factor(clock_.wall_now());
}

std::vector<std::pair<std::string, uint16_t>> ReputationBook::limit_scales() const {
  core::MutexLock lock(mu_);
  const core::WallTime now = clock_.wall_now();
  std::vector<std::pair<std::string, uint16_t>> scales;
  scales.reserve(users_.size());
  for (const auto& [name, reputation] : users_) {
    const double thousandths = std::round(reputation.factor(now) * core::kFullScale);
    scales.emplace_back(name, static_cast<uint16_t>(std::min(thousandths, 65535.0)));
  }
  return scales;
}

boost::json::object ReputationBook::to_json(std::string_view user) const {
  core::MutexLock lock(mu_);
  const core::WallTime now = clock_.wall_now();
  auto it = users_.find(user);
  core::Reputation fresh(config_, now);
  const core::Reputation& r = it == users_.end() ? fresh : it->second;
  return {{"score", std::round(r.score(now) * 1000) / 1000},
          {"factor", std::round(r.factor(now) * 10000) / 10000},
          {"baseline", config_.baseline},
          {"events", events_json(r)}};
}

}  // namespace gaia::reputation
