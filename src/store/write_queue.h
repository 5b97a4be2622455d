#pragma once
// Group commit: request threads queue writes; one writer thread takes everything queued,
// commits it in one transaction, and only then answers each execution's callback. Many
// writes share one fsync, and no request thread waits on the disk. An execution starts a
// commit at once; usage, violations and confirmation decisions ride along, or are committed after
// `linger`. A command's text is queued capped (core/capped_text.h), whoever wrote it.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "store/store.h"

namespace gaia::store {

class WriteQueue {
 public:
  // Writes one batch in one transaction; on success says, per execution, whether it was new.
  using Commit = std::function<Result<std::vector<bool>>(const WriteBatch&)>;

  // `clock` times each commit for the commit observer.
  WriteQueue(Commit commit, size_t max_batch, std::chrono::milliseconds linger,
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
  void run();

  const Commit commit_;
  const core::Clock& clock_;
  const size_t max_batch_;
  const std::chrono::milliseconds linger_;
  mutable core::Mutex mu_;
  core::CondVar wake_;
  WriteBatch queued_ GUARDED_BY(mu_);
  std::vector<RecordDone> callbacks_ GUARDED_BY(mu_);
  std::vector<std::promise<Status>> flushes_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  StoreHealth health_ GUARDED_BY(mu_);
  std::function<void(double)> on_commit_ GUARDED_BY(mu_);
  std::thread writer_;  // last: starts once the rest is built
};

}  // namespace gaia::store
