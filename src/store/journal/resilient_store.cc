#include "store/journal/resilient_store.h"

#include "store/detail/dead_letter_text.h"

namespace gaia::store::journal {

ResilientStore::ResilientStore(std::unique_ptr<Store> inner, std::unique_ptr<Journal> journal,
                               const core::Clock& clock, ResilientOptions options)
    : ForwardingStore(*inner),  // the object inner_ owns from here on
      clock_(clock),
      inner_(std::move(inner)),
      journal_(std::move(journal)),
      options_(options),
      failure_closed_(options.failure == FailureMode::kClosed) {
  queue_ = std::make_unique<WriteQueue>(
      [this](const WriteBatch& b) { return commit(b); },
      [this](const DeadLetter& d) { return inner_->add_dead_letter(d); }, options_.max_batch,
      options_.linger, clock);
  recovery_ = std::thread([this] { recover(); });
}

ResilientStore::~ResilientStore() {
  {
    core::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  recovery_.join();
  queue_.reset();  // its writer commits or journals what is left
}

void ResilientStore::record_execution(Execution execution, RecordDone done) {
  queue_->push(std::move(execution), std::move(done));
}
void ResilientStore::add_usage(Usage delta) { queue_->push(std::move(delta)); }
void ResilientStore::record_violation(Violation violation) { queue_->push(std::move(violation)); }
void ResilientStore::record_decision(ConfirmDecision decision) {
  queue_->push(std::move(decision));
}
Status ResilientStore::flush() { return queue_->flush(); }
void ResilientStore::set_commit_observer(std::function<void(double)> observer) {
  queue_->set_commit_observer(std::move(observer));
}

StoreHealth ResilientStore::health() {
  StoreHealth h = queue_->health();
  h.journal_bytes = journal_->bytes();
  h.journal_records = journal_->records();
  h.admissions_paused = !accepts_admissions();
  core::MutexLock lock(mu_);
  if (outage_.load()) {
    h.ok = false;
    h.journaling = true;
    h.detail = "database unavailable, writes are kept in the journal " + journal_->dir().string() +
               ": " + outage_reason_;
  }
  for (const std::string* error : {&journal_error_, &replay_error_}) {
    if (error->empty()) continue;
    h.ok = false;
    h.detail += h.detail.empty() ? *error : "; " + *error;
  }
  return h;
}

void ResilientStore::enter_outage(const std::string& reason) {
  core::MutexLock lock(mu_);
  outage_reason_ = reason;
  outage_.store(true);
}

Result<std::vector<bool>> ResilientStore::commit(const WriteBatch& batch) {
  if (!outage_.load()) {
    auto committed = inner_->commit_batch(batch, std::nullopt);
    // Only an unreachable or busy database is an outage; any other error is the batch's own
    // and is answered as such (a journal could not replay it either).
    if (committed.ok() || committed.status().code() != core::StatusCode::kUnavailable) {
      return committed;
    }
    enter_outage(committed.status().message());
  }
  Status appended = journal_->append(batch);
  core::MutexLock lock(mu_);
  journal_error_ = appended.ok() ? "" : appended.message();
  if (!appended.ok()) {
    return Status::unavailable("database unavailable (" + outage_reason_ +
                               ") and the journal failed: " + appended.message());
  }
  // Whether an execution id is new is known only at replay: a journalled one counts as new.
  return std::vector<bool>(batch.executions.size(), true);
}

namespace {

void add_to(WriteBatch& batch, const Write& write) {
  std::visit(
      [&](const auto& w) {
        using T = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<T, Execution>) batch.executions.push_back(w);
        if constexpr (std::is_same_v<T, Usage>) batch.usage.push_back(w);
        if constexpr (std::is_same_v<T, Violation>) batch.violations.push_back(w);
        if constexpr (std::is_same_v<T, ConfirmDecision>) batch.decisions.push_back(w);
      },
      write);
}

}  // namespace

Status ResilientStore::replay_one_by_one(uint64_t segment,
                                         const std::vector<const Record*>& records) {
  for (const Record* r : records) {
    WriteBatch one;
    add_to(one, r->write);
    const JournalMark mark{segment, r->seq};
    auto committed = inner_->commit_batch(one, mark);
    if (committed.ok()) continue;
    if (committed.status().code() == core::StatusCode::kUnavailable) return committed.status();
    const DeadLetter letter =
        detail::dead_letter_of(one, committed.status(), core::to_ms(clock_.wall_now()));
    if (Status kept = inner_->add_dead_letter(letter); !kept.ok()) return kept;
    if (auto marked = inner_->commit_batch(WriteBatch(), mark); !marked.ok()) {
      return marked.status();
    }
  }
  return {};
}

Status ResilientStore::replay_segment(const std::filesystem::path& path) {
  auto segment = Journal::read(path);
  if (!segment.ok()) return segment.status();
  auto applied = inner_->journal_applied_through(segment->id);
  if (!applied.ok()) return applied.status();
  WriteBatch batch;
  std::vector<const Record*> pending;
  auto commit_pending = [&]() -> Status {
    if (pending.empty()) return {};
    auto committed = inner_->commit_batch(batch, JournalMark{segment->id, pending.back()->seq});
    if (!committed.ok() && committed.status().code() != core::StatusCode::kUnavailable) {
      // Something in the batch is what the database refuses: find it, keep the rest.
      if (Status s = replay_one_by_one(segment->id, pending); !s.ok()) return s;
    } else if (!committed.ok()) {
      return committed.status();
    }
    batch = WriteBatch();
    pending.clear();
    return {};
  };
  for (const Record& r : segment->records) {
    if (r.seq <= applied.value()) continue;  // applied before, by an earlier replay
    add_to(batch, r.write);
    pending.push_back(&r);
    if (pending.size() == options_.max_batch) {
      if (Status s = commit_pending(); !s.ok()) return s;
    }
  }
  if (Status s = commit_pending(); !s.ok()) return s;
  return journal_->remove(path);
}

Status ResilientStore::replay() {
  core::MutexLock replaying(replay_mu_);
  // An empty transaction: proof the database takes writes again (a SQLite file another
  // process holds locked still reads fine).
  if (auto probe = inner_->commit_batch(WriteBatch(), std::nullopt); !probe.ok()) {
    return probe.status();
  }
  journal_->seal();
  for (const std::filesystem::path& path : journal_->sealed()) {
    if (Status s = replay_segment(path); !s.ok()) {
      // The database being away is the outage's story; anything else stops the replay
      // until fixed, and says so.
      core::MutexLock lock(mu_);
      replay_error_ =
          s.code() == core::StatusCode::kUnavailable ? "" : "journal replay: " + s.message();
      return s;
    }
  }
  // Writes journalled after the seal are replayed on the next round.
  core::MutexLock lock(mu_);
  replay_error_.clear();
  outage_.store(false);
  outage_reason_.clear();
  return {};
}

void ResilientStore::recover() {
  core::MutexLock lock(mu_);
  for (;;) {
    wake_.wait_for(mu_, options_.probe_interval, [&]() REQUIRES(mu_) { return stopping_; });
    if (stopping_) return;
    if (!outage_.load() && journal_->records() == 0) continue;
    lock.unlock();
    Status replayed = replay();
    lock.lock();
    if (!replayed.ok() && outage_.load() && replayed.code() == core::StatusCode::kUnavailable) {
      outage_reason_ = replayed.message();
    }
  }
}

}  // namespace gaia::store::journal
