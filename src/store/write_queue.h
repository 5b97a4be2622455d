#pragma once
// Group commit: request threads queue writes; one writer thread takes everything queued,
// commits it in one transaction, and only then answers each execution's callback. Many
// writes share one fsync. An execution starts a commit at once; usage, violations and
// confirmation decisions ride along, or are committed after `linger` (the flush interval: what a
// kill -9 can take back). Violations are folded into episodes as they are queued
// (violation_fold.h): a flood of refusals queues one episode per principal and second. A
// command's text is queued capped (core/capped_text.h), whoever wrote it. Thread-safe.
//
// Durable mode (`linger` 0): every push waits until the commit that carries its write has
// returned, so what a caller was answered for is on disk. The writer commits whatever is queued
// as soon as it is free: the writes pushed during one commit share the next one (one fsync per
// group). A push whose commit fails returns after that attempt, its write kept for the retry.
//
// Poison: a batch the database refuses for what it holds (any failure but kUnavailable: a byte
// its encoding rejects, a constraint) is committed again in halves, down to single writes; a
// single write still refused is set aside as a dead letter (dead_letter_store.h), counted in
// health().dead_letters, its execution (if it is one) answered with the refusal, and every
// other write of the batch is committed. A batch that fails for the database being away is
// kept and retried whole, as before. Committing as usual costs nothing more.

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "store/store.h"
#include "store/violation_fold.h"

namespace gaia::store {

class WriteQueue {
 public:
  // Writes one batch in one transaction; on success says, per execution, whether it was new.
  using Commit = std::function<Result<std::vector<bool>>(const WriteBatch&)>;
  // Keeps a write the database refused, durably.
  using SetAside = std::function<Status(const DeadLetter&)>;

  // `clock` times each commit for the commit observer and dates the dead letters. `linger` 0
  // is the durable mode above.
  WriteQueue(Commit commit, SetAside set_aside, size_t max_batch, std::chrono::milliseconds linger,
             const core::Clock& clock);
  // Commits what is queued, then stops the writer.
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  void push(Execution execution, RecordDone done);
  void push(Usage usage);
  void push(Violation violation);
  void push(ConfirmDecision decision);
  // Blocks until everything queued before the call is committed or has failed.
  Status flush();

  StoreHealth health() const;
  void set_commit_observer(std::function<void(double)> observer);

 private:
  // What committing one batch came to, write by write.
  struct Outcome {
    Status status;                         // why some writes were not committed, if any were not
    std::vector<Result<bool>> executions;  // per execution of the batch, in order
    WriteBatch uncommitted;                // usage, violations, decisions to try again
    uint64_t set_aside = 0;                // dead letters made
  };

  void run();
  // Durable mode: wakes the writer, then waits until the commit after now has returned.
  void await_commit() REQUIRES(mu_);
  // Commits `batch`, isolating and setting aside the writes the database refuses (see above).
  // On the writer thread, without mu_.
  Outcome commit_isolating(const WriteBatch& batch);

  const Commit commit_;
  const SetAside set_aside_;
  const core::Clock& clock_;
  const size_t max_batch_;
  const std::chrono::milliseconds linger_;
  const bool durable_;  // linger_ == 0
  mutable core::Mutex mu_;
  core::CondVar wake_;
  core::CondVar committed_;  // durable pushes wait here for batches_done_
  // Batches the writer has taken and finished: a write queued when taken == n is in batch n+1.
  uint64_t batches_taken_ GUARDED_BY(mu_) = 0;
  uint64_t batches_done_ GUARDED_BY(mu_) = 0;
  bool writer_gone_ GUARDED_BY(mu_) = false;
  WriteBatch queued_ GUARDED_BY(mu_);  // its violations stay empty: they are folded in
  ViolationFold violations_ GUARDED_BY(mu_);
  std::vector<RecordDone> callbacks_ GUARDED_BY(mu_);
  std::vector<std::promise<Status>> flushes_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  StoreHealth health_ GUARDED_BY(mu_);
  std::function<void(double)> on_commit_ GUARDED_BY(mu_);
  std::thread writer_;  // last: starts once the rest is built
};

}  // namespace gaia::store
