#pragma once
// FairQueue: who runs next when more commands wait than there are workers. Pure: no threads,
// no clock of its own; the caller passes the time in and serialises every call.
//
// Three priority classes (enterprise > premium > default, from the tier). Each class is
// guaranteed its share of the workers whenever it has work waiting; a seat a class does not
// use may be borrowed by another, highest class first. Inside a class, users are served by
// start-time fair queuing (one flow per user), so a user who floods the queue delays an
// occasional user by at most about one command. A user's commands run at most
// `max_running` at a time; a command may be held back until `eligible_at` (load throttling),
// and is dropped after the class's maximum wait. docs/scheduler.md has the algorithm and its
// guarantee.
//
// Example:
//   FairQueue q({.workers = 4});
//   auto e = q.enqueue({.user = 7, .tier = Tier::kDefault}, now);
//   while (auto next = q.next(now)) start(next->id);   // until no worker is free
//   ... q.finish(id, now) when it ends; q.expire(now) on a timer.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/rule.h"
#include "core/tier.h"

namespace gaia::core {

using TicketId = uint64_t;

enum class PriorityClass : uint8_t { kEnterprise = 0, kPremium = 1, kDefault = 2 };
inline constexpr int kPriorityClassCount = 3;
PriorityClass priority_class_of(Tier tier);

struct FairQueueOptions {
  unsigned workers = 4;
  // Each class's guaranteed share of the workers, indexed by PriorityClass; at least one seat.
  std::array<double, kPriorityClassCount> shares = {0.5, 0.3, 0.2};
  // Commands that may wait per class; more are refused.
  std::array<size_t, kPriorityClassCount> capacity = {1000, 1000, 1000};
  std::chrono::milliseconds max_wait{60'000};
};

struct QueuedCommand {
  UserId user = 0;
  Tier tier = Tier::kDefault;
  uint32_t max_running = 0;  // commands of this user at once; 0: no limit
  MonoTime eligible_at{};    // not started before this (a throttle delay)
};

struct Enqueued {
  bool accepted = false;  // false: the class's queue is full
  TicketId id = 0;
  size_t position = 0;  // commands of the class ahead of this one
  std::chrono::milliseconds expected_wait{0};
};

struct Started {
  TicketId id = 0;
  std::chrono::nanoseconds waited{0};
};

struct FairQueueStats {
  std::array<size_t, kPriorityClassCount> queued{};
  std::array<unsigned, kPriorityClassCount> running{};
  unsigned seats = 0;  // workers usable now (after the capacity factor)
};

class FairQueue {
 public:
  explicit FairQueue(FairQueueOptions options);

  Enqueued enqueue(const QueuedCommand& command, MonoTime now);

  // The next command to start now, marked running, if a seat is free and a command is
  // eligible; nullopt otherwise.
  std::optional<Started> next(MonoTime now);

  // A running command ended: its seat is free. Unknown ids are ignored.
  void finish(TicketId id, MonoTime now);

  // Removes a waiting command; false if it is not waiting (started, finished or unknown).
  bool cancel(TicketId id);

  // Removes and returns the commands that waited longer than the maximum wait.
  std::vector<TicketId> expire(MonoTime now);

  // The earliest moment after `now` at which something changes without a call: a held
  // command becoming eligible or a waiting one expiring. nullopt when nothing waits.
  std::optional<MonoTime> next_deadline(MonoTime now) const;

  // Position (commands of its class ahead) and expected wait of a waiting command.
  std::optional<Enqueued> position(TicketId id) const;

  // Scales the usable seats to ceil(factor * workers); 0 starts nothing new (load
  // throttling holds work in the queue). Clamped to [0, 1].
  void set_capacity_factor(double factor);

  FairQueueStats stats() const;

 private:
  struct Item {
    TicketId id;
    double start_tag;
    MonoTime enqueued;
    MonoTime eligible_at;
  };
  struct Flow {
    std::vector<Item> items;  // FIFO; the front is items[head]
    size_t head = 0;
    double last_finish = 0;  // finish tag of the flow's latest command
    unsigned running = 0;
    uint32_t max_running = 0;
  };
  struct Class {
    std::unordered_map<UserId, Flow> flows;
    double virtual_time = 0;
    size_t queued = 0;
    unsigned running = 0;
    unsigned guaranteed = 1;
    std::chrono::nanoseconds mean_service{std::chrono::seconds(1)};  // EWMA
  };
  struct Where {
    PriorityClass cls;
    UserId user;
    bool running = false;
    MonoTime started{};
  };

  // The flow whose head command is eligible and starts first in `cls`, or nullptr.
  Flow* pick_flow(Class& cls, MonoTime now, UserId* user);
  unsigned seats() const;
  void compute_guarantees();
  void pop_head(Flow& flow);
  std::chrono::milliseconds expected_wait(const Class& cls, size_t position) const;
  size_t ahead_of(const Class& cls, const Item& item) const;
  void drop_flow_if_idle(Class& cls, UserId user);

  FairQueueOptions options_;
  std::array<Class, kPriorityClassCount> classes_;
  std::unordered_map<TicketId, Where> where_;
  TicketId next_id_ = 1;
  double capacity_factor_ = 1.0;
  unsigned running_ = 0;
};

}  // namespace gaia::core
