#include "exec/scheduler.h"

namespace gaia::exec {

std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kTimedOut:
      return "timed_out";
    case DropReason::kCancelled:
      return "cancelled";
    case DropReason::kShutdown:
      return "shutdown";
  }
  return "cancelled";
}

Scheduler::Scheduler(core::FairQueueOptions options, const core::Clock& clock)
    : clock_(clock), queue_(options) {
  for (unsigned i = 0; i < options.workers; ++i) workers_.emplace_back([this] { work_loop(); });
  dispatcher_ = std::thread([this] { dispatch_loop(); });
}

Scheduler::~Scheduler() { stop(); }

core::Enqueued Scheduler::submit(Job job) {
  core::MutexLock lock(mu_);
  if (stopping_) return {};
  core::Enqueued e = queue_.enqueue(job.command, clock_.mono_now());
  if (!e.accepted) return e;
  reported_[e.id] = e.position;
  jobs_.emplace(e.id, std::move(job));
  wake_dispatcher();
  return e;
}

bool Scheduler::cancel(core::TicketId id) {
  Job job;
  {
    core::MutexLock lock(mu_);
    if (!queue_.cancel(id)) return false;
    auto it = jobs_.find(id);
    job = std::move(it->second);
    jobs_.erase(it);
    reported_.erase(id);
    positions_changed_ = true;
    wake_dispatcher();
  }
  if (job.dropped) job.dropped(DropReason::kCancelled);
  return true;
}

void Scheduler::set_capacity_factor(double factor) {
  core::MutexLock lock(mu_);
  queue_.set_capacity_factor(factor);
  wake_dispatcher();
}

core::FairQueueStats Scheduler::stats() const {
  core::MutexLock lock(mu_);
  return queue_.stats();
}

void Scheduler::wake_dispatcher() {
  dispatch_needed_ = true;
  dispatcher_wake_.notify_one();
}

void Scheduler::dispatch_loop() {
  core::MutexLock lock(mu_);
  while (!stopping_) {
    dispatch_needed_ = false;
    const core::MonoTime now = clock_.mono_now();
    std::vector<Job> expired;
    for (core::TicketId id : queue_.expire(now)) {
      expired.push_back(std::move(jobs_.at(id)));
      jobs_.erase(id);
      reported_.erase(id);
    }
    bool started = false;
    while (auto s = queue_.next(now)) {
      ready_.push_back(s->id);
      reported_.erase(s->id);
      started = true;
    }
    if (started) worker_wake_.notify_all();
    // Places in line change only when a job leaves the line; then tell those that moved.
    std::vector<std::pair<std::function<void(const core::Enqueued&)>, core::Enqueued>> moves;
    const bool changed = started || !expired.empty() || positions_changed_;
    positions_changed_ = false;
    for (auto& [id, last] : reported_) {
      if (!changed) break;
      auto p = queue_.position(id);
      if (!p || p->position == last) continue;
      last = p->position;
      const Job& job = jobs_.at(id);
      if (job.moved) moves.emplace_back(job.moved, *p);
    }
    const std::optional<core::MonoTime> deadline = queue_.next_deadline(now);
    lock.unlock();
    for (Job& job : expired) {
      if (job.dropped) job.dropped(DropReason::kTimedOut);
    }
    for (auto& [moved, position] : moves) moved(position);
    lock.lock();
    // A change made while the lock was released set dispatch_needed_: no wake-up is lost.
    auto woken = [this]() REQUIRES(mu_) { return dispatch_needed_ || stopping_; };
    if (deadline) {
      dispatcher_wake_.wait_for(mu_, *deadline - clock_.mono_now(), woken);
    } else {
      dispatcher_wake_.wait(mu_, woken);
    }
  }
}

void Scheduler::work_loop() {
  core::MutexLock lock(mu_);
  for (;;) {
    worker_wake_.wait(
        mu_, [this]() REQUIRES(mu_) { return !ready_.empty() || (stopping_ && jobs_.empty()); });
    if (ready_.empty()) return;
    const core::TicketId id = ready_.front();
    ready_.pop_front();
    std::function<void(core::TicketId)> run = std::move(jobs_.at(id).run);
    lock.unlock();
    run(id);
    lock.lock();
    jobs_.erase(id);
    queue_.finish(id, clock_.mono_now());
    wake_dispatcher();
    if (stopping_ && jobs_.empty()) worker_wake_.notify_all();
  }
}

void Scheduler::stop() {
  std::vector<Job> waiting;
  {
    core::MutexLock lock(mu_);
    if (stopping_ && !dispatcher_.joinable()) return;
    stopping_ = true;
    for (auto& [id, last] : reported_) {
      if (queue_.cancel(id)) {
        waiting.push_back(std::move(jobs_.at(id)));
        jobs_.erase(id);
      }
    }
    reported_.clear();
    dispatcher_wake_.notify_all();
    worker_wake_.notify_all();
  }
  for (Job& job : waiting) {
    if (job.dropped) job.dropped(DropReason::kShutdown);
  }
  if (dispatcher_.joinable()) dispatcher_.join();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace gaia::exec
