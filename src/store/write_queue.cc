#include "store/write_queue.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "core/capped_text.h"
#include "store/detail/dead_letter_text.h"

namespace gaia::store {
namespace {

// Moves `from`'s elements to the front of `to`: writes that failed go first next time.
template <class T>
void requeue(std::vector<T>& from, std::vector<T>& to) {
  from.insert(from.end(), std::make_move_iterator(to.begin()), std::make_move_iterator(to.end()));
  to = std::move(from);
}

size_t writes_in(const WriteBatch& b) {
  return b.executions.size() + b.usage.size() + b.violations.size() + b.decisions.size();
}

// The writes of `b` numbered [from, to), counting executions, usage, violations, decisions.
WriteBatch slice(const WriteBatch& b, size_t from, size_t to) {
  WriteBatch out;
  size_t at = 0;
  const auto take = [&](const auto& rows, auto& into) {
    for (const auto& row : rows) {
      if (at >= from && at < to) into.push_back(row);
      ++at;
    }
  };
  take(b.executions, out.executions);
  take(b.usage, out.usage);
  take(b.violations, out.violations);
  take(b.decisions, out.decisions);
  return out;
}

template <class T>
void append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

WriteQueue::WriteQueue(Commit commit, SetAside set_aside, size_t max_batch,
                       std::chrono::milliseconds linger, const core::Clock& clock)
    : commit_(std::move(commit)),
      set_aside_(std::move(set_aside)),
      clock_(clock),
      max_batch_(max_batch),
      linger_(linger),
      durable_(linger == std::chrono::milliseconds(0)),
      writer_([this] { run(); }) {}

WriteQueue::~WriteQueue() {
  {
    core::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

// Every row is queued here, whichever backend writes it: the one place a command's text is
// capped before it is stored (capped outside the lock: hashing a long text takes a while).
void WriteQueue::push(Execution execution, RecordDone done) {
  execution.command = core::capped_text(execution.command);
  {
    core::MutexLock lock(mu_);
    queued_.executions.push_back(std::move(execution));
    callbacks_.push_back(std::move(done));
  }
  wake_.notify_one();
}

// Usage and violations answer no one: they wait for the next commit, or for the linger,
// so a burst of checks costs one commit instead of one each. In durable mode the caller waits.
void WriteQueue::push(Usage usage) {
  core::MutexLock lock(mu_);
  queued_.usage.push_back(std::move(usage));
  if (durable_) return await_commit();
  if (queued_.usage.size() == max_batch_) wake_.notify_one();
}

// Most refusals of a flood join an episode already queued, which keeps its own sample: only
// the one that starts an episode has its text capped.
void WriteQueue::push(Violation violation) {
  {
    core::MutexLock lock(mu_);
    if (violations_.join(violation)) {
      if (durable_) await_commit();
      return;
    }
  }
  violation.command = core::capped_text(violation.command);
  core::MutexLock lock(mu_);
  violations_.add(std::move(violation));  // joins one another thread started meanwhile, if any
  if (durable_) return await_commit();
  if (violations_.size() == max_batch_) wake_.notify_one();
}

void WriteQueue::push(ConfirmDecision decision) {
  decision.command = core::capped_text(decision.command);
  core::MutexLock lock(mu_);
  queued_.decisions.push_back(std::move(decision));
  if (durable_) return await_commit();
  if (queued_.decisions.size() == max_batch_) wake_.notify_one();
}

void WriteQueue::await_commit() {
  // The writer takes everything queued at once: what was just queued is in the batch after
  // the ones it has taken so far.
  const uint64_t mine = batches_taken_ + 1;
  wake_.notify_one();
  committed_.wait(mu_, [&]() REQUIRES(mu_) { return batches_done_ >= mine || writer_gone_; });
}

Status WriteQueue::flush() {
  std::future<Status> done;
  {
    core::MutexLock lock(mu_);
    flushes_.emplace_back();
    done = flushes_.back().get_future();
  }
  wake_.notify_one();
  return done.get();
}

StoreHealth WriteQueue::health() const {
  core::MutexLock lock(mu_);
  StoreHealth h = health_;
  h.queued_writes = queued_.executions.size() + queued_.usage.size() + violations_.size() +
                    queued_.decisions.size();
  return h;
}

void WriteQueue::set_commit_observer(std::function<void(double)> observer) {
  core::MutexLock lock(mu_);
  on_commit_ = std::move(observer);
}

WriteQueue::Outcome WriteQueue::commit_isolating(const WriteBatch& batch) {
  Outcome out;
  Result<std::vector<bool>> inserted = commit_(batch);
  if (inserted.ok()) {
    for (bool is_new : inserted.value()) out.executions.emplace_back(is_new);
    return out;
  }
  const Status& refusal = inserted.status();
  const size_t n = writes_in(batch);
  if (refusal.code() == core::StatusCode::kUnavailable) {
    out.status = refusal;
    out.executions.assign(batch.executions.size(), refusal);
    out.uncommitted = WriteBatch{{}, batch.usage, batch.violations, batch.decisions};
    return out;
  }
  if (n == 1) {
    // This write alone is what the database refuses: keep it aside, and never again in a batch.
    DeadLetter letter = detail::dead_letter_of(batch, refusal, core::to_ms(clock_.wall_now()));
    if (Status kept = set_aside_(letter); !kept.ok()) out.status = kept;
    out.set_aside = 1;
    out.executions.assign(batch.executions.size(),
                          Status::invalid_argument("the database refused the record (" +
                                                   letter.error + "); it was set aside"));
    return out;
  }
  for (auto [from, to] : {std::pair{size_t{0}, n / 2}, std::pair{n / 2, n}}) {
    Outcome part = commit_isolating(slice(batch, from, to));
    if (out.status.ok()) out.status = part.status;
    append(out.executions, part.executions);
    append(out.uncommitted.usage, part.uncommitted.usage);
    append(out.uncommitted.violations, part.uncommitted.violations);
    append(out.uncommitted.decisions, part.uncommitted.decisions);
    out.set_aside += part.set_aside;
  }
  return out;
}

void WriteQueue::run() {
  core::MutexLock lock(mu_);
  const auto leave = [&]() REQUIRES(mu_) {
    writer_gone_ = true;
    committed_.notify_all();
  };
  const auto due = [&]() REQUIRES(mu_) {
    return stopping_ || !queued_.executions.empty() || !flushes_.empty() ||
           queued_.usage.size() >= max_batch_ || violations_.size() >= max_batch_ ||
           queued_.decisions.size() >= max_batch_ ||
           (durable_ && (!queued_.empty() || !violations_.empty()));
  };
  for (;;) {
    if (durable_) {
      wake_.wait(mu_, due);
    } else {
      wake_.wait_for(mu_, linger_, due);
    }
    if (queued_.empty() && violations_.empty() && flushes_.empty()) {
      if (stopping_) return leave();
      continue;
    }

    WriteBatch batch;
    std::vector<RecordDone> callbacks;
    const size_t n = std::min(queued_.executions.size(), max_batch_);
    batch.executions.assign(std::make_move_iterator(queued_.executions.begin()),
                            std::make_move_iterator(queued_.executions.begin() + n));
    queued_.executions.erase(queued_.executions.begin(), queued_.executions.begin() + n);
    callbacks.assign(std::make_move_iterator(callbacks_.begin()),
                     std::make_move_iterator(callbacks_.begin() + n));
    callbacks_.erase(callbacks_.begin(), callbacks_.begin() + n);
    batch.usage = std::move(queued_.usage);
    batch.violations = violations_.take();
    batch.decisions = std::move(queued_.decisions);
    queued_.usage.clear();
    queued_.decisions.clear();
    // A flush waits for what was queued before it: answer it once the queue has drained.
    std::vector<std::promise<Status>> flushes;
    if (queued_.executions.empty()) flushes = std::move(flushes_), flushes_.clear();
    ++batches_taken_;
    lock.unlock();

    const core::MonoTime started = clock_.mono_now();
    Outcome outcome = batch.empty() ? Outcome() : commit_isolating(batch);
    const std::chrono::duration<double> took = clock_.mono_now() - started;
    const Status& failed = outcome.status;

    lock.lock();
    if (on_commit_ && !batch.empty()) on_commit_(took.count());
    health_.dead_letters += outcome.set_aside;
    if (failed.ok()) {
      if (!batch.empty()) ++health_.commits;
      health_.ok = true;
      health_.detail.clear();
    } else {
      health_.ok = false;
      health_.detail = failed.message();
      // Usage and violations are nobody's answer: keep them for the next attempt.
      requeue(outcome.uncommitted.usage, queued_.usage);
      // Folded back in: they merge with what was queued meanwhile for the same second.
      for (Violation& v : outcome.uncommitted.violations) violations_.add(std::move(v));
      requeue(outcome.uncommitted.decisions, queued_.decisions);
    }
    ++batches_done_;
    committed_.notify_all();
    lock.unlock();

    for (size_t i = 0; i < callbacks.size(); ++i) callbacks[i](std::move(outcome.executions[i]));
    for (auto& f : flushes) f.set_value(failed);

    lock.lock();
    if (!failed.ok() && stopping_) {
      // Shutting down with the database failing: answer everyone rather than hang.
      std::vector<RecordDone> pending = std::move(callbacks_);
      std::vector<std::promise<Status>> waiting = std::move(flushes_);
      leave();
      lock.unlock();
      for (auto& done : pending) done(failed);
      for (auto& f : waiting) f.set_value(failed);
      return;
    }
    if (!failed.ok()) {
      // Back off before retrying what was kept, unless new work or a stop arrives.
      wake_.wait_for(mu_, std::chrono::milliseconds(100),
                     [&]() REQUIRES(mu_) { return stopping_; });
    }
  }
}

}  // namespace gaia::store
