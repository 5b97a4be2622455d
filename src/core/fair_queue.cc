#include "core/fair_queue.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace gaia::core {
namespace {

// Every command costs one unit of its user's share: users are served command for command.
constexpr double kCommandCost = 1.0;
// How far ahead of the virtual time a user who was idle enters (less than one command).
constexpr double kIdleLead = 0.5;
// Weight of the newest service time in the running mean used for wait estimates.
constexpr double kServiceAlpha = 0.2;

bool before(const auto& a, const auto& b) {
  return std::tie(a.start_tag, a.id) < std::tie(b.start_tag, b.id);
}

}  // namespace

PriorityClass priority_class_of(Tier tier) {
  switch (tier) {
    case Tier::kEnterprise:
      return PriorityClass::kEnterprise;
    case Tier::kPremium:
      return PriorityClass::kPremium;
    case Tier::kDefault:
      return PriorityClass::kDefault;
  }
  return PriorityClass::kDefault;
}

FairQueue::FairQueue(FairQueueOptions options) : options_(options) { compute_guarantees(); }

unsigned FairQueue::seats() const {
  if (capacity_factor_ <= 0) return 0;
  return std::max(1u, static_cast<unsigned>(std::ceil(capacity_factor_ * options_.workers)));
}

void FairQueue::compute_guarantees() {
  const unsigned total = seats();
  for (int c = 0; c < kPriorityClassCount; ++c) {
    classes_[c].guaranteed =
        std::max(1u, static_cast<unsigned>(std::floor(options_.shares[c] * total)));
  }
}

void FairQueue::set_capacity_factor(double factor) {
  capacity_factor_ = std::clamp(factor, 0.0, 1.0);
  compute_guarantees();
}

Enqueued FairQueue::enqueue(const QueuedCommand& command, MonoTime now) {
  const PriorityClass pc = priority_class_of(command.tier);
  Class& cls = classes_[static_cast<int>(pc)];
  if (cls.queued >= options_.capacity[static_cast<int>(pc)]) return {};

  Flow& flow = cls.flows[command.user];  // an idle user's flow was dropped: this one is new
  const bool idle = flow.head == flow.items.size() && flow.running == 0;
  flow.max_running = command.max_running;
  // Start-time fair queuing. A user with nothing queued or running enters half a unit ahead
  // of the class's virtual time: ahead of every busy user's next command, but never by more,
  // so being away banks no credit.
  const double start =
      idle ? cls.virtual_time - kIdleLead : std::max(cls.virtual_time, flow.last_finish);
  flow.last_finish = start + kCommandCost;
  const Item item{next_id_++, start, now, command.eligible_at};
  flow.items.push_back(item);
  ++cls.queued;
  where_[item.id] = {pc, command.user};

  const size_t ahead = ahead_of(cls, item);
  return {true, item.id, ahead, expected_wait(cls, ahead)};
}

size_t FairQueue::ahead_of(const Class& cls, const Item& item) const {
  size_t n = 0;
  for (const auto& [user, flow] : cls.flows) {
    for (size_t i = flow.head; i < flow.items.size(); ++i) {
      if (!before(flow.items[i], item)) break;  // tags rise along a flow
      ++n;
    }
  }
  return n;
}

std::chrono::milliseconds FairQueue::expected_wait(const Class& cls, size_t position) const {
  const unsigned class_seats = std::max(1u, cls.guaranteed);
  const bool seat_free = running_ < seats();
  const double waves = static_cast<double>(position + (seat_free ? 0 : 1)) / class_seats;
  return std::chrono::duration_cast<std::chrono::milliseconds>(cls.mean_service * waves);
}

FairQueue::Flow* FairQueue::pick_flow(Class& cls, MonoTime now, UserId* user) {
  Flow* best = nullptr;
  for (auto& [id, flow] : cls.flows) {
    if (flow.head == flow.items.size()) continue;
    if (flow.max_running != 0 && flow.running >= flow.max_running) continue;
    const Item& head = flow.items[flow.head];
    if (head.eligible_at > now) continue;
    if (best == nullptr || before(head, best->items[best->head])) {
      best = &flow;
      *user = id;
    }
  }
  return best;
}

std::optional<Started> FairQueue::next(MonoTime now) {
  if (running_ >= seats()) return std::nullopt;
  // First the classes below their guaranteed seats, then any class, highest first: a seat
  // one class leaves unused is lent, and given back as soon as it frees.
  for (bool guaranteed_only : {true, false}) {
    for (int c = 0; c < kPriorityClassCount; ++c) {
      Class& cls = classes_[c];
      if (guaranteed_only && cls.running >= cls.guaranteed) continue;
      UserId user = 0;
      Flow* flow = pick_flow(cls, now, &user);
      if (flow == nullptr) continue;
      const Item item = flow->items[flow->head];
      pop_head(*flow);
      --cls.queued;
      ++cls.running;
      ++flow->running;
      ++running_;
      cls.virtual_time = std::max(cls.virtual_time, item.start_tag);
      Where& w = where_[item.id];
      w.running = true;
      w.started = now;
      return Started{item.id, now - item.enqueued};
    }
  }
  return std::nullopt;
}

void FairQueue::pop_head(Flow& flow) {
  ++flow.head;
  if (flow.head == flow.items.size()) {
    flow.items.clear();
    flow.head = 0;
  } else if (flow.head >= 64 && flow.head * 2 >= flow.items.size()) {
    flow.items.erase(flow.items.begin(), flow.items.begin() + static_cast<long>(flow.head));
    flow.head = 0;
  }
}

void FairQueue::drop_flow_if_idle(Class& cls, UserId user) {
  auto it = cls.flows.find(user);
  if (it != cls.flows.end() && it->second.running == 0 &&
      it->second.head == it->second.items.size()) {
    cls.flows.erase(it);
  }
}

void FairQueue::finish(TicketId id, MonoTime now) {
  auto it = where_.find(id);
  if (it == where_.end() || !it->second.running) return;
  const Where w = it->second;
  where_.erase(it);
  Class& cls = classes_[static_cast<int>(w.cls)];
  --cls.running;
  --running_;
  auto flow = cls.flows.find(w.user);
  if (flow != cls.flows.end()) --flow->second.running;
  const auto served = std::chrono::duration_cast<std::chrono::nanoseconds>(now - w.started);
  cls.mean_service = std::chrono::nanoseconds(static_cast<int64_t>(
      kServiceAlpha * served.count() + (1 - kServiceAlpha) * cls.mean_service.count()));
  drop_flow_if_idle(cls, w.user);
}

bool FairQueue::cancel(TicketId id) {
  auto it = where_.find(id);
  if (it == where_.end() || it->second.running) return false;
  const Where w = it->second;
  where_.erase(it);
  Class& cls = classes_[static_cast<int>(w.cls)];
  Flow& flow = cls.flows[w.user];
  auto item = std::find_if(flow.items.begin() + static_cast<long>(flow.head), flow.items.end(),
                           [id](const Item& i) { return i.id == id; });
  if (item != flow.items.end()) {
    flow.items.erase(item);
    --cls.queued;
  }
  if (flow.head == flow.items.size()) {
    flow.items.clear();
    flow.head = 0;
  }
  drop_flow_if_idle(cls, w.user);
  return true;
}

std::vector<TicketId> FairQueue::expire(MonoTime now) {
  std::vector<TicketId> expired;
  for (Class& cls : classes_) {
    for (auto it = cls.flows.begin(); it != cls.flows.end();) {
      Flow& flow = it->second;
      // A flow is FIFO, so its expired commands are the ones at its front.
      while (flow.head < flow.items.size() &&
             flow.items[flow.head].enqueued + options_.max_wait <= now) {
        expired.push_back(flow.items[flow.head].id);
        where_.erase(flow.items[flow.head].id);
        --cls.queued;
        pop_head(flow);
      }
      const bool idle = flow.running == 0 && flow.head == flow.items.size();
      it = idle ? cls.flows.erase(it) : std::next(it);
    }
  }
  return expired;
}

std::optional<MonoTime> FairQueue::next_deadline(MonoTime now) const {
  std::optional<MonoTime> earliest;
  auto consider = [&](MonoTime t) {
    if (!earliest || t < *earliest) earliest = t;
  };
  for (const Class& cls : classes_) {
    for (const auto& [user, flow] : cls.flows) {
      if (flow.head == flow.items.size()) continue;
      const Item& head = flow.items[flow.head];
      consider(head.enqueued + options_.max_wait);
      if (head.eligible_at > now) consider(head.eligible_at);
    }
  }
  return earliest;
}

std::optional<Enqueued> FairQueue::position(TicketId id) const {
  auto it = where_.find(id);
  if (it == where_.end() || it->second.running) return std::nullopt;
  const Class& cls = classes_[static_cast<int>(it->second.cls)];
  const Flow& flow = cls.flows.at(it->second.user);
  for (size_t i = flow.head; i < flow.items.size(); ++i) {
    if (flow.items[i].id != id) continue;
    const size_t ahead = ahead_of(cls, flow.items[i]);
    return Enqueued{true, id, ahead, expected_wait(cls, ahead)};
  }
  return std::nullopt;
}

FairQueueStats FairQueue::stats() const {
  FairQueueStats s;
  for (int c = 0; c < kPriorityClassCount; ++c) {
    s.queued[c] = classes_[c].queued;
    s.running[c] = classes_[c].running;
  }
  s.seats = seats();
  return s;
}

}  // namespace gaia::core
