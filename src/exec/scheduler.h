#pragma once
// Scheduler: runs jobs on a bounded pool of worker threads in the order core::FairQueue
// chooses (priority classes, fair share between users, per-user limits, throttle delays and
// maximum waits). One dispatcher thread starts jobs and drops the ones that waited too long;
// `workers` threads run them.
//
// Threads: every method may be called from any thread. A job's callbacks run on a worker
// (run) or on the dispatcher or calling thread (dropped), never under the scheduler's lock, so
// they may call back into it. Exactly one of run and dropped is called for an accepted job.

#include <deque>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/fair_queue.h"
#include "core/mutex.h"

namespace gaia::exec {

enum class DropReason { kTimedOut, kCancelled, kShutdown };
std::string_view drop_reason_name(DropReason reason);

struct Job {
  core::QueuedCommand command;
  std::function<void(core::TicketId)> run;  // on a worker thread; the seat is held until it returns
  std::function<void(DropReason)> dropped;  // the job never started
  // Called on the dispatcher thread when the job's position changes while it waits.
  std::function<void(const core::Enqueued&)> moved;
};

class Scheduler {
 public:
  Scheduler(core::FairQueueOptions options, const core::Clock& clock);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues `job`. Not accepted (class queue full, or stopped): the job is discarded and none of
  // its callbacks is called.
  core::Enqueued submit(Job job);

  // Drops a waiting job (its dropped(kCancelled) runs on this thread); false if it already
  // started, ended or is unknown.
  bool cancel(core::TicketId id);

  // Load throttling: the share of the workers that may be busy, in [0, 1].
  void set_capacity_factor(double factor);

  core::FairQueueStats stats() const;

  // Accepts nothing more, drops every waiting job (kShutdown), waits for running jobs to
  // end, and joins the threads. Idempotent.
  void stop();

 private:
  void wake_dispatcher() REQUIRES(mu_);
  void dispatch_loop();
  void work_loop();
  void report_moves();

  const core::Clock& clock_;
  mutable core::Mutex mu_;
  core::CondVar dispatcher_wake_;
  core::CondVar worker_wake_;
  core::FairQueue queue_ GUARDED_BY(mu_);
  std::unordered_map<core::TicketId, Job> jobs_ GUARDED_BY(mu_);  // waiting or running
  std::deque<core::TicketId> ready_ GUARDED_BY(mu_);  // started, not yet taken by a worker
  std::unordered_map<core::TicketId, size_t> reported_
      GUARDED_BY(mu_);  // last position told to moved()
  bool dispatch_needed_ GUARDED_BY(mu_) =
      true;  // something changed since the dispatcher last looked
  bool positions_changed_ GUARDED_BY(mu_) = false;  // a job left the line by cancel()
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
  std::thread dispatcher_;
};

}  // namespace gaia::exec
