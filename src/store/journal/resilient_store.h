#pragma once
// ResilientStore: a Store that survives its database going away. It wraps any backend
// (SQLite, PostgreSQL) and owns the request-path writes: a group-commit queue whose writer
// commits each batch to the backend while it answers, and otherwise appends the batch to a
// local Journal (fsync'd), so an execution is still answered only once it is durable. A
// recovery thread probes the backend and replays the journal, exactly once: each replayed
// batch carries a JournalMark committed in the same transaction, and records at or below
// a segment's mark are skipped. Admin reads and writes go straight to the backend and fail
// while it is away; checks never touch the store.
//
// Example:
//   auto journal = Journal::open("./var/journal");
//   ResilientStore store(std::move(backend), std::move(journal.value()), clock, {});
//   (void)store.replay();  // what an earlier run left, before usage is restored
//
// Thread-safe.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/mutex.h"
#include "store/forwarding_store.h"
#include "store/journal/journal.h"
#include "store/store.h"
#include "store/write_queue.h"

namespace gaia::store::journal {

// Whether new admissions continue while the database is away (GAIA_STORE_FAILURE).
enum class FailureMode : uint8_t { kOpen, kClosed };

struct ResilientOptions {
  FailureMode failure = FailureMode::kOpen;
  std::chrono::milliseconds probe_interval{500};  // how often the recovery thread tries
  size_t max_batch = 4096;
  // The flush interval (GAIA_STORE_FLUSH_MS); 0 is the durable mode of store/write_queue.h.
  std::chrono::milliseconds linger{100};
};

class ResilientStore final : public ForwardingStore {
 public:
  // `clock` must outlive the store.
  ResilientStore(std::unique_ptr<Store> inner, std::unique_ptr<Journal> journal,
                 const core::Clock& clock, ResilientOptions options);
  // Stops probing, commits or journals what is queued, then closes the backend.
  ~ResilientStore() override;

  // Replays every journal record not yet in the database, now, and ends the outage if there
  // was one. OK when the database takes writes and every sealed record is in it; on failure
  // what was applied stays applied (and is never applied again). The recovery thread calls
  // it every probe_interval while there is an outage or a journal.
  Status replay();

  void record_execution(Execution execution, RecordDone done) override;
  void add_usage(Usage delta) override;
  void record_violation(Violation violation) override;
  void record_decision(ConfirmDecision decision) override;
  Status flush() override;

  // Besides the queue's state: journaling (the database is away), the journal's size,
  // admissions_paused; ok is false while journaling or while the journal itself fails.
  StoreHealth health() override;
  void set_commit_observer(std::function<void(double)> observer) override;
  bool accepts_admissions() const override {
    // relaxed: a check may see the outage begin or end a moment late; nothing else hangs
    // on the order.
    return !(failure_closed_ && outage_.load(std::memory_order_relaxed));
  }

 private:
  Result<std::vector<bool>> commit(const WriteBatch& batch);  // the queue's writer thread
  Status replay_segment(const std::filesystem::path& path);
  // Replays `records` of segment `segment` one by one after the database refused them as a
  // batch: a record still refused alone is set aside as a dead letter, its mark recorded, so
  // it never blocks the replay.
  Status replay_one_by_one(uint64_t segment, const std::vector<const Record*>& records);
  void enter_outage(const std::string& reason);
  void recover();  // the recovery thread

  const core::Clock& clock_;
  const std::unique_ptr<Store> inner_;
  const std::unique_ptr<Journal> journal_;
  const ResilientOptions options_;
  const bool failure_closed_;
  std::atomic<bool> outage_{false};
  mutable core::Mutex mu_;
  std::string outage_reason_ GUARDED_BY(mu_);
  std::string journal_error_ GUARDED_BY(mu_);  // the last append's failure, or empty
  std::string replay_error_ GUARDED_BY(mu_);   // a replay failure other than the outage
  core::CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  core::Mutex replay_mu_;  // one replay at a time
  std::unique_ptr<WriteQueue> queue_;
  std::thread recovery_;  // last: starts once the rest is built
};

}  // namespace gaia::store::journal
