#pragma once
// ExecutionStore: the store's role for finished commands. record_execution is a request-path
// write, queued and group-committed (its callback runs once the row is durable); the rest is
// synchronous. Thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

struct Execution {
  std::string id;  // chosen by the client; recording is idempotent on it
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  std::string command;
  int64_t started_at_ms = 0;
  int64_t duration_ms = 0;
  int64_t cpu_ms = 0;
  int64_t peak_memory_bytes = 0;
  std::optional<int> exit_code;  // exactly one of exit_code and signal
  std::optional<int> signal;
};

// Called once an execution's row is durable: true when it was new, false for a repeat id.
using RecordDone = std::function<void(Result<bool>)>;

class ExecutionStore {
 public:
  virtual ~ExecutionStore() = default;

  // Queued; `done` runs on the writer thread once the row is durable (or failed).
  virtual void record_execution(Execution execution, RecordDone done) = 0;
  virtual Result<std::optional<Execution>> find_execution(std::string_view id) = 0;
  virtual Result<uint64_t> count_executions() = 0;
  // Retention: deletes executions started before `before_ms`; usage rows stay.
  virtual Result<uint64_t> delete_executions_before(int64_t before_ms) = 0;
  // Executions started in [from_ms, to_ms), oldest first, passed to `fn` one at a time; read
  // in pages so that other callers are not held up for the whole scan. `fn` must not call
  // the store. On failure the rows already passed stay passed.
  virtual Status scan_executions(int64_t from_ms, int64_t to_ms,
                                 const std::function<void(const Execution&)>& fn) = 0;
};

namespace detail {

// Passes every ExecutionStore call to Base's forward_to<ExecutionStore>() (see detail/roles.h).
template <class Base>
class ForwardExecutionStore : public Base {
 public:
  using Base::Base;
  void record_execution(Execution execution, RecordDone done) override {
    to().record_execution(std::move(execution), std::move(done));
  }
  Result<std::optional<Execution>> find_execution(std::string_view id) override {
    return to().find_execution(id);
  }
  Result<uint64_t> count_executions() override { return to().count_executions(); }
  Result<uint64_t> delete_executions_before(int64_t before_ms) override {
    return to().delete_executions_before(before_ms);
  }
  Status scan_executions(int64_t from_ms, int64_t to_ms,
                         const std::function<void(const Execution&)>& fn) override {
    return to().scan_executions(from_ms, to_ms, fn);
  }

 private:
  ExecutionStore& to() { return this->template forward_to<ExecutionStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
